"""The read side: the questions the product answers, in one package.

``filters`` is what to count (the filter bar's value), ``concepts`` the concept groups
the questions are asked with, and one module per question area holds pure query
functions ``(Session, Filters, typed parameters) -> DataFrame`` over the facts and their
rollups: ``activity`` (overview and explorer), ``courses``, ``knowledge``,
``convergence`` and ``people``. ``registry`` publishes them by name, with typed
parameters, a description and output columns, for the dashboards and /api/aggregates
alike. Importing this package loads nothing: the query modules need pandas, which the
command line does not.
"""
