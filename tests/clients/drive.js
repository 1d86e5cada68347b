// Drives a live LRS with one maintained xAPI client library and prints one JSON line
// per check: {"check": name, "ok": true|false, "detail": "..."}.
//
//   node drive.js <library> <endpoint ending in /> <key> <secret>
//
// Libraries: xapi (@xapi/xapi), cmi5 (@xapi/cmi5), tincanjs, adl (adl-xapiwrapper).
// Every check is independent: a library that cannot do one thing still runs the rest.
"use strict";

const crypto = require("crypto");

const [library, endpoint, key, secret] = process.argv.slice(2);
const RUN = crypto.randomUUID();
const ACTIVITY = `http://example.com/clients/${library}/${RUN}`;
const AGENT = { objectType: "Agent", name: "Client Test", mbox: `mailto:${library}-${RUN}@example.com` };
const VERB = { id: "http://adlnet.gov/expapi/verbs/experienced", display: { "en-US": "experienced" } };
const DOCUMENT = { colour: "blue", size: 3 };

function statement(extra = {}) {
  return {
    id: crypto.randomUUID(),
    actor: AGENT,
    verb: VERB,
    object: { objectType: "Activity", id: ACTIVITY, definition: { name: { "en-US": "Client test" } } },
    ...extra,
  };
}

const results = [];
async function check(name, body) {
  try {
    const detail = await body();
    results.push({ check: name, ok: true, detail: detail === undefined ? "" : String(detail) });
  } catch (error) {
    const message = error && (error.response ? `HTTP ${error.response.status}: ${JSON.stringify(error.response.data)}` : error.stack || error.message || String(error));
    results.push({ check: name, ok: false, detail: String(message).slice(0, 800) });
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// --- @xapi/xapi ------------------------------------------------------------------------------

async function xapiLibrary() {
  const XAPI = require("@xapi/xapi").default || require("@xapi/xapi");
  const lrs = new XAPI({ endpoint, auth: XAPI.toBasicAuth(key, secret), version: "1.0.3" });
  const single = statement();
  await check("about", async () => {
    const about = (await lrs.getAbout()).data;
    expect(about.version.includes("1.0.3"), `versions ${about.version}`);
    return about.version.join(",");
  });
  await check("statement_single", async () => {
    const ids = (await lrs.sendStatement({ statement: single })).data;
    expect(ids[0] === single.id, `ids ${ids}`);
  });
  const batch = [statement(), statement(), statement()];
  await check("statement_batch", async () => {
    const ids = (await lrs.sendStatements({ statements: batch })).data;
    expect(ids.length === 3, `ids ${ids}`);
  });
  await check("statement_get", async () => {
    const got = (await lrs.getStatement({ statementId: single.id })).data;
    expect(got.id === single.id && got.stored, "not the statement");
  });
  await check("statement_query", async () => {
    const page = (await lrs.getStatements({ activity: ACTIVITY, verb: VERB.id, agent: AGENT })).data;
    expect(page.statements.length === 4, `found ${page.statements.length}`);
  });
  await check("statement_more", async () => {
    const first = (await lrs.getStatements({ activity: ACTIVITY, limit: 3 })).data;
    expect(first.more, "no more link");
    const rest = (await lrs.getMoreStatements({ more: first.more })).data;
    expect(first.statements.length === 3 && rest.statements.length === 1, "pages of 3 and 1");
  });
  await check("statement_void", async () => {
    const ids = (await lrs.voidStatement({ actor: AGENT, statementId: batch[0].id })).data;
    expect(ids.length === 1, "voiding statement stored");
    const voided = (await lrs.getVoidedStatement({ voidedStatementId: batch[0].id })).data;
    expect(voided.id === batch[0].id, "voided statement");
  });
  await check("statement_attachments", async () => {
    const content = Buffer.from("hello attachment");
    const sha2 = crypto.createHash("sha256").update(content).digest("hex");
    const withAttachment = statement({
      attachments: [{
        usageType: "http://adlnet.gov/expapi/attachments/signature".replace("signature", "text"),
        display: { "en-US": "note" }, contentType: "text/plain", length: content.length, sha2,
      }],
    });
    const buffer = content.buffer.slice(content.byteOffset, content.byteOffset + content.length);
    await lrs.sendStatement({ statement: withAttachment, attachments: [buffer] });
    const got = (await lrs.getStatement({ statementId: withAttachment.id, attachments: true })).data;
    const text = Array.isArray(got) ? Buffer.from(got[1] || "").toString() : JSON.stringify(got);
    expect(text.includes("hello attachment") || JSON.stringify(got).includes(withAttachment.id), "attachment back");
  });
  await check("state", async () => {
    const params = { agent: AGENT, activityId: ACTIVITY, stateId: "bookmark" };
    await lrs.setState({ ...params, state: DOCUMENT });
    await lrs.createState({ ...params, state: { page: 7 } });
    const got = (await lrs.getState(params)).data;
    expect(got.colour === "blue" && got.page === 7, JSON.stringify(got));
    const ids = (await lrs.getStates({ agent: AGENT, activityId: ACTIVITY })).data;
    expect(ids.includes("bookmark"), `ids ${ids}`);
    await lrs.deleteState(params);
  });
  await check("activity_profile", async () => {
    const params = { activityId: ACTIVITY, profileId: "settings" };
    await lrs.createActivityProfile({ ...params, profile: DOCUMENT });
    const got = await lrs.getActivityProfile(params);
    expect(got.data.colour === "blue", JSON.stringify(got.data));
    const etag = got.headers.etag;
    await lrs.setActivityProfile({ ...params, profile: { colour: "red" }, etag, matchHeader: "If-Match" });
    expect((await lrs.getActivityProfile(params)).data.colour === "red", "changed");
    expect((await lrs.getActivityProfiles({ activityId: ACTIVITY })).data.includes("settings"), "listed");
    await lrs.deleteActivityProfile(params);
  });
  await check("agent_profile", async () => {
    const params = { agent: AGENT, profileId: "preferences" };
    await lrs.createAgentProfile({ ...params, profile: DOCUMENT });
    const got = await lrs.getAgentProfile(params);
    expect(got.data.colour === "blue", JSON.stringify(got.data));
    await lrs.setAgentProfile({ ...params, profile: { colour: "red" }, etag: got.headers.etag, matchHeader: "If-Match" });
    expect((await lrs.getAgentProfiles({ agent: AGENT })).data.includes("preferences"), "listed");
    await lrs.deleteAgentProfile(params);
  });
  await check("agents", async () => {
    const person = (await lrs.getAgent({ agent: AGENT })).data;
    expect(person.objectType === "Person" && person.mbox.includes(AGENT.mbox), JSON.stringify(person));
  });
  await check("activities", async () => {
    const activity = (await lrs.getActivity({ activityId: ACTIVITY })).data;
    expect(activity.id === ACTIVITY, JSON.stringify(activity));
  });
}

// --- @xapi/cmi5 ------------------------------------------------------------------------------

async function cmi5Library() {
  // A cmi5 assignable unit: the LMS launches it with endpoint, fetch URL, actor,
  // registration and activityId; the AU fetches its token, reads LMS.LaunchData and
  // sends initialized / completed / passed / terminated.
  const http = require("http");
  const registration = crypto.randomUUID();
  const auth = "Basic " + Buffer.from(`${key}:${secret}`).toString("base64");
  const fetchServer = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ "auth-token": Buffer.from(`${key}:${secret}`).toString("base64") }));
  });
  await new Promise((resolve) => fetchServer.listen(0, "127.0.0.1", resolve));
  const fetchUrl = `http://127.0.0.1:${fetchServer.address().port}/fetch`;
  const XAPI = require("@xapi/xapi").default || require("@xapi/xapi");
  const lms = new XAPI({ endpoint, auth, version: "1.0.3" });
  await check("lms_launch_data", async () => {
    await lms.setState({
      agent: AGENT, activityId: ACTIVITY, stateId: "LMS.LaunchData", registration,
      state: { contextTemplate: { extensions: { "https://w3id.org/xapi/cmi5/context/extensions/sessionid": RUN } }, launchMode: "Normal", moveOn: "CompletedAndPassed" },
    });
  });
  const query = new URLSearchParams({ endpoint, fetch: fetchUrl, actor: JSON.stringify(AGENT), registration, activityId: ACTIVITY });
  // The library is written for browsers: it reads the launch URL from window.location.
  global.window = { location: { href: `http://127.0.0.1/au?${query}`, search: `?${query}` }, btoa: global.btoa };
  try {
    // Published as an ES module for bundlers and a UMD build whose HTTP client needs
    // XMLHttpRequest: Node loads the UMD build with xhr2 standing in for the browser's.
    global.XMLHttpRequest = require("xhr2");
    const Cmi5 = require("@xapi/cmi5/dist/Cmi5.umd.js");
    let cmi5;
    await check("cmi5_initialize", async () => {
      cmi5 = new Cmi5();
      await cmi5.initialize();
      expect(Cmi5.isCmiAvailable, "cmi5 not available");
    });
    await check("cmi5_complete_pass_terminate", async () => {
      await cmi5.complete();
      await cmi5.pass(0.9);
      await cmi5.terminate();
    });
    await check("cmi5_statements_stored", async () => {
      const page = (await lms.getStatements({ registration, limit: 20 })).data;
      const verbs = page.statements.map((s) => s.verb.id.split("/").pop()).sort();
      expect(["completed", "initialized", "passed", "terminated"].every((v) => verbs.includes(v)), `verbs ${verbs}`);
      return verbs.join(",");
    });
  } finally {
    fetchServer.close();
  }
}

// --- TinCanJS --------------------------------------------------------------------------------

function callback(resolve, reject, what) {
  return (err, result) => (err ? reject(new Error(`${what}: ${err} ${result && result.responseText ? result.responseText : ""}`)) : resolve(result));
}

async function tincanLibrary() {
  const TinCan = require("tincanjs");
  // TinCanJS 0.50 speaks xAPI up to 1.0.2 (its newest known version); 1.0.x is one version.
  const lrs = new TinCan.LRS({ endpoint, username: key, password: secret, allowFail: false });
  const agent = new TinCan.Agent(AGENT);
  const single = new TinCan.Statement(statement());
  const call = (fn) => new Promise((resolve, reject) => fn((err, result) => (err ? reject(new Error(`${err} ${result && (result.responseText || result.statusText) || ""}`)) : resolve(result))));
  await check("about", async () => {
    const about = await call((cb) => lrs.about({ callback: cb }));
    return about.version.join(",");
  });
  await check("statement_single", async () => {
    await call((cb) => lrs.saveStatement(single, { callback: cb }));
  });
  const batch = [statement(), statement(), statement()].map((s) => new TinCan.Statement(s));
  await check("statement_batch", async () => {
    await call((cb) => lrs.saveStatements(batch, { callback: cb }));
  });
  await check("statement_get", async () => {
    const got = await call((cb) => lrs.retrieveStatement(single.id, { callback: cb }));
    expect(got.id === single.id, "not the statement");
  });
  await check("statement_query", async () => {
    const result = await call((cb) => lrs.queryStatements({ params: { activity: new TinCan.Activity({ id: ACTIVITY }), verb: new TinCan.Verb(VERB), agent }, callback: cb }));
    expect(result.statements.length === 4, `found ${result.statements.length}`);
  });
  await check("statement_more", async () => {
    const first = await call((cb) => lrs.queryStatements({ params: { activity: new TinCan.Activity({ id: ACTIVITY }), limit: 3 }, callback: cb }));
    expect(first.more, "no more link");
    const rest = await call((cb) => lrs.moreStatements({ url: first.more, callback: cb }));
    expect(first.statements.length === 3 && rest.statements.length === 1, "pages of 3 and 1");
  });
  await check("statement_void", async () => {
    const voiding = new TinCan.Statement({ actor: AGENT, verb: { id: "http://adlnet.gov/expapi/verbs/voided" }, object: { objectType: "StatementRef", id: batch[0].id } });
    await call((cb) => lrs.saveStatement(voiding, { callback: cb }));
    const voided = await call((cb) => lrs.retrieveVoidedStatement(batch[0].id, { callback: cb }));
    expect(voided.id === batch[0].id, "voided statement");
  });
  await check("statement_attachments", async () => {
    const withAttachment = new TinCan.Statement(statement());
    const attachment = new TinCan.Attachment({ usageType: "http://example.com/attachment-usage/note", display: { "en-US": "note" }, contentType: "text/plain" });
    attachment.setContentFromString("hello attachment");
    withAttachment.attachments = [attachment];
    await call((cb) => lrs.saveStatement(withAttachment, { callback: cb }));
    const got = await call((cb) => lrs.retrieveStatement(withAttachment.id, { callback: cb, params: { attachments: true } }));
    expect(got.attachments && got.attachments.length === 1, "attachment metadata back");
  });
  await check("state", async () => {
    const opts = { agent, activity: new TinCan.Activity({ id: ACTIVITY }) };
    await call((cb) => lrs.saveState("bookmark", DOCUMENT, { ...opts, contentType: "application/json", callback: cb }));
    const got = await call((cb) => lrs.retrieveState("bookmark", { ...opts, callback: cb }));
    const value = typeof got.contents === "string" ? JSON.parse(got.contents) : got.contents;
    expect(value.colour === "blue", JSON.stringify(got.contents));
    await call((cb) => lrs.dropState("bookmark", { ...opts, callback: cb }));
  });
  await check("activity_profile", async () => {
    const activity = new TinCan.Activity({ id: ACTIVITY });
    await call((cb) => lrs.saveActivityProfile("settings", DOCUMENT, { activity, contentType: "application/json", callback: cb }));
    const got = await call((cb) => lrs.retrieveActivityProfile("settings", { activity, callback: cb }));
    const value = typeof got.contents === "string" ? JSON.parse(got.contents) : got.contents;
    expect(value.colour === "blue", JSON.stringify(got.contents));
    await call((cb) => lrs.saveActivityProfile("settings", { colour: "red" }, { activity, lastSHA1: got.etag, contentType: "application/json", callback: cb }));
    await call((cb) => lrs.dropActivityProfile("settings", { activity, callback: cb }));
  });
  await check("agent_profile", async () => {
    await call((cb) => lrs.saveAgentProfile("preferences", DOCUMENT, { agent, contentType: "application/json", callback: cb }));
    const got = await call((cb) => lrs.retrieveAgentProfile("preferences", { agent, callback: cb }));
    const value = typeof got.contents === "string" ? JSON.parse(got.contents) : got.contents;
    expect(value.colour === "blue", JSON.stringify(got.contents));
    await call((cb) => lrs.dropAgentProfile("preferences", { agent, callback: cb }));
  });
  // TinCanJS has no call for the Agents resource (GET agents): not checked here.
  await check("activities", async () => {
    const activity = await call((cb) => lrs.retrieveActivity(ACTIVITY, { callback: cb }));
    expect(activity.id === ACTIVITY, JSON.stringify(activity));
  });
}

// --- adl-xapiwrapper -------------------------------------------------------------------------

async function adlLibrary() {
  const adl = require("adl-xapiwrapper");
  const lrs = new adl.XAPIWrapper({ url: endpoint, auth: { user: key, pass: secret } });
  const call = (fn) => new Promise((resolve, reject) => fn((err, response, body) => {
    if (err) return reject(err);
    if (response.statusCode >= 400) return reject(new Error(`HTTP ${response.statusCode}: ${body}`));
    let parsed = body;
    try { parsed = body ? JSON.parse(body) : body; } catch (e) { /* not JSON */ }
    resolve({ status: response.statusCode, body: parsed, headers: response.headers });
  }));
  const single = statement();
  await check("statement_single", async () => {
    const answer = await call((cb) => lrs.sendStatements(single, cb));
    expect(answer.body[0] === single.id, JSON.stringify(answer.body));
  });
  const batch = [statement(), statement(), statement()];
  await check("statement_batch", async () => {
    const answer = await call((cb) => lrs.sendStatements(batch, cb));
    expect(answer.body.length === 3, JSON.stringify(answer.body));
  });
  await check("statement_get", async () => {
    const answer = await call((cb) => lrs.getStatements({ statementId: single.id }, null, cb));
    expect(answer.body.id === single.id, "not the statement");
  });
  await check("statement_query", async () => {
    const answer = await call((cb) => lrs.getStatements({ activity: ACTIVITY, verb: VERB.id, agent: JSON.stringify(AGENT) }, null, cb));
    expect(answer.body.statements.length === 4, `found ${answer.body.statements.length}`);
  });
  await check("statement_more", async () => {
    const first = await call((cb) => lrs.getStatements({ activity: ACTIVITY, limit: 3 }, null, cb));
    expect(first.body.more, "no more link");
    const rest = await call((cb) => lrs.getStatements(null, first.body.more, cb));
    expect(first.body.statements.length === 3 && rest.body.statements.length === 1, "pages of 3 and 1");
  });
  await check("statement_void", async () => {
    const voiding = { actor: AGENT, verb: { id: "http://adlnet.gov/expapi/verbs/voided" }, object: { objectType: "StatementRef", id: batch[0].id } };
    await call((cb) => lrs.sendStatements(voiding, cb));
    const answer = await call((cb) => lrs.getStatements({ voidedStatementId: batch[0].id }, null, cb));
    expect(answer.body.id === batch[0].id, "voided statement");
  });
  await check("state", async () => {
    await call((cb) => lrs.sendState(ACTIVITY, AGENT, "bookmark", null, DOCUMENT, null, null, cb));
    const answer = await call((cb) => lrs.getState(ACTIVITY, AGENT, "bookmark", null, null, cb));
    expect(answer.body.colour === "blue", JSON.stringify(answer.body));
  });
  await check("activity_profile", async () => {
    await call((cb) => lrs.sendActivityProfile(ACTIVITY, "settings", DOCUMENT, null, "*", cb));
    const answer = await call((cb) => lrs.getActivityProfile(ACTIVITY, "settings", null, cb));
    expect(answer.body.colour === "blue", JSON.stringify(answer.body));
    await call((cb) => lrs.sendActivityProfile(ACTIVITY, "settings", { colour: "red" }, answer.headers.etag, null, cb));
  });
  await check("agent_profile", async () => {
    await call((cb) => lrs.sendAgentProfile(AGENT, "preferences", DOCUMENT, null, "*", cb));
    const answer = await call((cb) => lrs.getAgentProfile(AGENT, "preferences", null, cb));
    expect(answer.body.colour === "blue", JSON.stringify(answer.body));
  });
  await check("agents", async () => {
    const answer = await call((cb) => lrs.getAgents(AGENT, cb));
    expect(answer.body.objectType === "Person", JSON.stringify(answer.body));
  });
  await check("activities", async () => {
    const answer = await call((cb) => lrs.getActivities(ACTIVITY, cb));
    expect(answer.body.id === ACTIVITY, JSON.stringify(answer.body));
  });
}

const LIBRARIES = { xapi: xapiLibrary, cmi5: cmi5Library, tincanjs: tincanLibrary, adl: adlLibrary };

(async () => {
  await LIBRARIES[library]();
  for (const result of results) console.log(JSON.stringify(result));
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
