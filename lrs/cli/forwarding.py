"""`lrs forwarding`: forwarding rules, failed deliveries, delivery and key rotation."""

from __future__ import annotations

import os
from typing import Any

import click

from lrs.cli.common import call_service, load_settings, main
from lrs.services.principal import OPERATOR


@main.group("forwarding")
def forwarding_group() -> None:
    """Forward matching statements to another xAPI LRS or a signed webhook."""


@forwarding_group.command("add")
@click.option("--name", required=True, help="A unique name for the rule.")
@click.option("--kind", type=click.Choice(["xapi", "webhook"]), required=True)
@click.option("--url", required=True, help="xAPI endpoint (…/xapi/) or webhook URL.")
@click.option("--username", default=None, help="xAPI target: Basic auth user (key).")
@click.option("--password-env", default=None, help="xAPI target: variable holding the password.")
@click.option("--secret-env", default=None, help="Webhook: variable holding the HMAC secret.")
@click.option("--xapi-version", type=click.Choice(["1.0.3", "2.0.0"]), default="2.0.0")
@click.option("--verb", "verbs", multiple=True, help="Only this verb IRI (repeatable).")
@click.option("--activity-type", "activity_types", multiple=True, help="Only this type.")
@click.option(
    "--source-kind", "source_kinds", multiple=True,
    type=click.Choice(["formal", "informal", "other"]), help="Only this source kind.",
)  # fmt: skip
def forwarding_add(password_env: str | None, secret_env: str | None, **values: Any) -> None:
    """Add a forwarding rule (secrets are read from environment variables, not argv)."""
    from lrs.services import forwarding

    values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    values["password"] = os.environ.get(password_env) if password_env else None
    values["secret"] = os.environ.get(secret_env) if secret_env else None
    box = forwarding.SecretBox(load_settings().forwarding_key)
    rule = call_service(lambda db: forwarding.create_rule(db, OPERATOR, values, box=box))
    click.echo(f"added rule {rule['id']} {rule['name']!r} -> {rule['url']}")


@forwarding_group.command("list")
def forwarding_list() -> None:
    """List forwarding rules and their delivery counts."""
    from lrs.services import forwarding

    for rule in call_service(lambda db: forwarding.list_rules(db, OPERATOR)):
        state = "active" if rule["active"] else "inactive"
        filters = ",".join(rule["verbs"] + rule["activity_types"] + rule["source_kinds"])
        click.echo(f"{rule['id']}\t{rule['name']}\t{rule['kind']}\t{rule['url']}\t{state}"
                   f"\t{filters or '(all statements)'}")  # fmt: skip


@forwarding_group.command("remove")
@click.argument("rule_id", type=int)
def forwarding_remove(rule_id: int) -> None:
    """Remove a rule and its deliveries."""
    from lrs.services import forwarding

    call_service(lambda db: forwarding.remove_rule(db, OPERATOR, rule_id))
    click.echo(f"removed rule {rule_id}")


@forwarding_group.command("failed")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 10_000))
def forwarding_failed(limit: int) -> None:
    """List failed deliveries, newest first."""
    from lrs.services import forwarding

    found = call_service(
        lambda db: forwarding.list_deliveries(db, OPERATOR, status="failed", limit=limit)
    )
    for d in found:
        click.echo(f"{d['id']}\trule {d['rule_id']}\t{d['statement_id']}\t"
                   f"{d['attempts']} attempts\t{d['last_error']}")  # fmt: skip


@forwarding_group.command("replay")
@click.argument("delivery_id", type=int, required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every failed delivery.")
def forwarding_replay(delivery_id: int | None, replay_all: bool) -> None:
    """Queue a failed delivery (or --all of them) again."""
    from lrs.services import forwarding

    if (delivery_id is None) == (not replay_all):
        raise click.UsageError("give a DELIVERY_ID or --all")
    count = call_service(lambda db: forwarding.replay(db, OPERATOR, delivery_id))
    click.echo(f"replayed {count} deliveries")


@forwarding_group.command("deliver")
def forwarding_deliver() -> None:
    """Deliver what is due now, once (the server's worker does this continuously)."""
    from lrs.services import forwarding

    settings = load_settings()
    box = forwarding.SecretBox(settings.forwarding_key)
    report = call_service(
        lambda db: forwarding.deliver_due(
            db,
            box,
            timeout=settings.forwarding_timeout_seconds,
            max_attempts=settings.forwarding_max_attempts,
        )
    )
    click.echo(f"delivered {report.delivered}, retrying {report.retried}, failed {report.failed}")


@forwarding_group.command("generate-key")
def forwarding_generate_key() -> None:
    """Print a new random key for LRS_FORWARDING_KEY."""
    from lrs.services import forwarding

    click.echo(forwarding.generate_key())


@forwarding_group.command("rotate-key")
def forwarding_rotate_key() -> None:
    """Encrypt every stored password and secret (forwarding rules and sources) again
    under the first LRS_FORWARDING_KEY.

    Put the new key first and keep the old ones after it (comma separated), run this,
    then remove the old keys.
    """
    from lrs.services import forwarding, sources

    box = forwarding.SecretBox(load_settings().forwarding_key)
    if not box.has_keys:
        raise click.ClickException("LRS_FORWARDING_KEY is not set")
    rules = call_service(lambda db: forwarding.rotate_key(db, OPERATOR, box=box))
    pulled = call_service(lambda db: sources.rotate_key(db, OPERATOR, box=box))
    click.echo(
        f"re-encrypted {rules} passwords and secrets of forwarding rules and {pulled} "
        "source passwords under the first key"
    )
