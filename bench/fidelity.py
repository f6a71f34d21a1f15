#!/usr/bin/env python3
"""bench/fidelity.py ENDPOINT [NAME]: checks a Secrets Manager endpoint
against behaviours recorded from AWS.

Each check is one rule of docs/semantics.md graded [R] (recorded from the
live service, or AWS output quoted verbatim), named by its id; §L2 is graded
[M] as a whole but its AWSCURRENT case, the one checked, is recorded. The
same checks run against any server: bench/compare.sh runs them against
stagelabel's emulator and moto's server. Every check uses secrets of its own,
named with a prefix new to each run, so a server can be checked twice.

It prints one line per check (PASS or FAIL, with what differed) and ends
with "NAME: P/T passed"; it exits 1 if any check failed. Needs boto3; all
traffic goes to ENDPOINT (127.0.0.1 in bench/compare.sh).
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
server = sys.argv[2] if len(sys.argv) > 2 else endpoint
run = uuid.uuid4().hex[:8]
sm = boto3.client(
    "secretsmanager", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="test", aws_secret_access_key="test",
    config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=10))


class Mismatch(Exception):
    pass


def want(cond, why):
    if not cond:
        raise Mismatch(why)


def members(answer):
    return sorted(k for k in answer if k != "ResponseMetadata")


def fails(code, text, call, **kw):
    """fails runs call(**kw) and wants it to fail with code and, unless
    text is None, exactly text."""
    try:
        call(**kw)
    except ClientError as e:
        got_code, got_text = e.response["Error"].get("Code"), e.response["Error"].get("Message")
        want(got_code == code, "error %s %r, want %s" % (got_code, got_text, code))
        want(text is None or got_text == text, "message %r, want %r" % (got_text, text))
        return
    raise Mismatch("succeeded, want %s" % code)


def name(n):
    return "fid%s-%s" % (run, n)


def tok():
    return str(uuid.uuid4())


def stages(sid, deprecated=True):
    """stages gives {version id: sorted labels, or None without a
    VersionStages member} from ListSecretVersionIds."""
    out = sm.list_secret_version_ids(SecretId=sid, IncludeDeprecated=deprecated)
    return {v["VersionId"]: (sorted(v["VersionStages"]) if "VersionStages" in v else None)
            for v in out["Versions"]}


def raw(target, body):
    """raw posts body to the endpoint, unsigned, as SDKs never send it;
    it gives the status and the parsed body."""
    req = urllib.request.Request(
        endpoint + "/", data=json.dumps(body).encode(), method="POST",
        headers={"X-Amz-Target": "secretsmanager." + target,
                 "Content-Type": "application/x-amz-json-1.1",
                 # A signature with dummy credentials, as servers that read
                 # the region from it expect (neither server checks it).
                 "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def two_versions(n):
    """two_versions creates n with v1 {AWSCURRENT} and v2 {AWSPENDING}."""
    v1, v2 = tok(), tok()
    sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    sm.put_secret_value(SecretId=n, SecretString="two", ClientRequestToken=v2, VersionStages=["AWSPENDING"])
    return v1, v2


checks = []


def check(rule, what):
    def add(f):
        checks.append((rule, what, f))
        return f
    return add


@check("§L6", "moving AWSCURRENT: v1{C} v2{PEND} becomes v1{P} v2{C,PEND}")
def _():
    n = name("l6")
    v1, v2 = two_versions(n)
    sm.update_secret_version_stage(SecretId=n, VersionStage="AWSCURRENT", MoveToVersionId=v2, RemoveFromVersionId=v1)
    got = stages(n)
    want(got == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "AWSPENDING"]}, "labels %r" % got)


@check("§L8", "AWSCURRENT removed with no MoveToVersionId: InvalidParameterException, AWS's text")
def _():
    n = name("l8")
    v1, _ = two_versions(n)
    fails("InvalidParameterException",
          "You can only move staging label AWSCURRENT to a different secret version. It can't be completely removed.",
          sm.update_secret_version_stage, SecretId=n, VersionStage="AWSCURRENT", RemoveFromVersionId=v1)


@check("§L2", "AWSCURRENT moved without RemoveFromVersionId: InvalidParameterException, AWS's text")
def _():
    n = name("l2")
    v1, v2 = two_versions(n)
    fails("InvalidParameterException",
          "The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId." % v1,
          sm.update_secret_version_stage, SecretId=n, VersionStage="AWSCURRENT", MoveToVersionId=v2)


@check("§L16", "UpdateSecretVersionStage answers ARN and Name only")
def _():
    n = name("l16")
    v1, v2 = two_versions(n)
    out = sm.update_secret_version_stage(SecretId=n, VersionStage="AWSCURRENT", MoveToVersionId=v2, RemoveFromVersionId=v1)
    want(members(out) == ["ARN", "Name"], "members %r" % members(out))


@check("§L17", "a label AWSSOMETHING is a custom label: it moves only when named")
def _():
    n = name("l17")
    v1 = tok()
    sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    sm.update_secret_version_stage(SecretId=n, VersionStage="AWSSOMETHING", MoveToVersionId=v1)
    v2 = tok()
    sm.put_secret_value(SecretId=n, SecretString="two", ClientRequestToken=v2)
    got = stages(n)
    want(got == {v1: ["AWSPREVIOUS", "AWSSOMETHING"], v2: ["AWSCURRENT"]}, "labels %r" % got)


@check("§V3", "PutSecretValue moves AWSCURRENT and AWSPREVIOUS: v1{P} v2{C,PEND} + v3 gives v1{} v2{P} v3{C}")
def _():
    n = name("v3")
    v1, v2 = two_versions(n)
    sm.update_secret_version_stage(SecretId=n, VersionStage="AWSCURRENT", MoveToVersionId=v2, RemoveFromVersionId=v1)
    v3 = tok()
    sm.put_secret_value(SecretId=n, SecretString="three", ClientRequestToken=v3)
    got = stages(n)
    want(got == {v1: None, v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}, "labels %r" % got)


@check("§V5", "a put with VersionStages [AWSPENDING] on v1{C} gives v1{C} v2{PEND}")
def _():
    n = name("v5")
    v1, v2 = two_versions(n)
    got = stages(n)
    want(got == {v1: ["AWSCURRENT"], v2: ["AWSPENDING"]}, "labels %r" % got)


@check("§V8", "a ClientRequestToken in use with another value: ResourceExistsException, AWS's text")
def _():
    n = name("v8")
    v1 = tok()
    arn = sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)["ARN"]
    fails("ResourceExistsException",
          "You can't use ClientRequestToken %s because that value is already in use for a version of secret %s." % (v1, arn),
          sm.put_secret_value, SecretId=n, SecretString="other", ClientRequestToken=v1)


@check("§V13", "CreateSecret repeated (same name, token, value) succeeds with the same answer")
def _():
    n, v1 = name("v13"), tok()
    a = sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    b = sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    a.pop("ResponseMetadata"), b.pop("ResponseMetadata")
    want(a == b, "first %r, second %r" % (a, b))


@check("§V12", "PutSecretValue sent raw without ClientRequestToken: InvalidRequestException, AWS's text")
def _():
    n = name("v12")
    sm.create_secret(Name=n, SecretString="one")
    status, body = raw("PutSecretValue", {"SecretId": n, "SecretString": "two"})
    want((status, body.get("__type"), body.get("Message") or body.get("message")) ==
         (400, "InvalidRequestException", "You must provide a ClientRequestToken value. We recommend a UUID-type value."),
         "HTTP %d %r" % (status, body))


@check("§V17", "UpdateSecret with a value moves the labels as a put does")
def _():
    n = name("v17")
    v1, v2 = tok(), tok()
    sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    sm.update_secret(SecretId=n, SecretString="two", ClientRequestToken=v2)
    got = stages(n)
    want(got == {v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"]}, "labels %r" % got)


@check("§V19", "UpdateSecret with a description only answers ARN and Name")
def _():
    n = name("v19")
    sm.create_secret(Name=n, SecretString="one")
    out = sm.update_secret(SecretId=n, Description="new")
    want(members(out) == ["ARN", "Name"], "members %r" % members(out))


@check("§V21", "CreateSecret answers ARN, Name, VersionId with a value; ARN, Name without")
def _():
    a = sm.create_secret(Name=name("v21a"), SecretString="one")
    b = sm.create_secret(Name=name("v21b"))
    want(members(a) == ["ARN", "Name", "VersionId"], "with a value: members %r" % members(a))
    want(members(b) == ["ARN", "Name"], "without: members %r" % members(b))


@check("§G1", "GetSecretValue with a VersionId and a VersionStage apart: InvalidRequestException, AWS's text")
def _():
    n = name("g1")
    v1, _ = two_versions(n)
    fails("InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId.",
          sm.get_secret_value, SecretId=n, VersionId=v1, VersionStage="AWSPENDING")


@check("§G2", "GetSecretValue of a label on no version: ResourceNotFoundException, AWS's text")
def _():
    n = name("g2")
    sm.create_secret(Name=n, SecretString="one")
    fails("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: NOPE",
          sm.get_secret_value, SecretId=n, VersionStage="NOPE")


@check("§G3", "GetSecretValue of an id of no version: ResourceNotFoundException, AWS's text")
def _():
    n, missing = name("g3"), tok()
    sm.create_secret(Name=n, SecretString="one")
    fails("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + missing,
          sm.get_secret_value, SecretId=n, VersionId=missing)


@check("§G4", "GetSecretValue of a secret created without a value: §G2's error for AWSCURRENT")
def _():
    n = name("g4")
    sm.create_secret(Name=n)
    fails("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
          sm.get_secret_value, SecretId=n)


@check("§G6", "GetSecretValue answers ARN, Name, VersionId, SecretString, VersionStages, CreatedDate")
def _():
    n = name("g6")
    sm.create_secret(Name=n, SecretString="one")
    out = sm.get_secret_value(SecretId=n)
    want(members(out) == ["ARN", "CreatedDate", "Name", "SecretString", "VersionId", "VersionStages"],
         "members %r" % members(out))


@check("§G8", "LastAccessedDate absent until the first read, then present")
def _():
    n = name("g8")
    sm.create_secret(Name=n, SecretString="one")
    before = sm.describe_secret(SecretId=n)
    sm.get_secret_value(SecretId=n)
    after = sm.describe_secret(SecretId=n)
    want("LastAccessedDate" not in before, "LastAccessedDate before any read: %r" % before.get("LastAccessedDate"))
    want("LastAccessedDate" in after, "no LastAccessedDate after a read")


@check("§G10", "DescribeSecret's VersionIdsToStages leaves deprecated versions out")
def _():
    n = name("g10")
    v1, v2, v3 = tok(), tok(), tok()
    sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    sm.put_secret_value(SecretId=n, SecretString="two", ClientRequestToken=v2)
    sm.put_secret_value(SecretId=n, SecretString="three", ClientRequestToken=v3)
    got = {k: sorted(v) for k, v in sm.describe_secret(SecretId=n).get("VersionIdsToStages", {}).items()}
    want(got == {v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT"]}, "VersionIdsToStages %r" % got)


@check("§G11", "DescribeSecret of a secret without a version leaves VersionIdsToStages out")
def _():
    n = name("g11")
    sm.create_secret(Name=n)
    out = sm.describe_secret(SecretId=n)
    want("VersionIdsToStages" not in out, "VersionIdsToStages %r" % out.get("VersionIdsToStages"))


@check("§G13", "RotationEnabled absent from DescribeSecret and ListSecrets until rotation is configured")
def _():
    n = name("g13")
    sm.create_secret(Name=n, SecretString="one")
    d = sm.describe_secret(SecretId=n)
    entries = sm.list_secrets(Filters=[{"Key": "name", "Values": [n]}])["SecretList"]
    want("RotationEnabled" not in d, "DescribeSecret: RotationEnabled %r" % d.get("RotationEnabled"))
    want(len(entries) == 1 and "RotationEnabled" not in entries[0],
         "ListSecrets: %r" % [e.get("RotationEnabled", "absent") for e in entries])


@check("§G16", "ListSecretVersionIds entries carry KmsKeyIds [DefaultEncryptionKey]")
def _():
    n = name("g16")
    sm.create_secret(Name=n, SecretString="one")
    got = [v.get("KmsKeyIds") for v in sm.list_secret_version_ids(SecretId=n)["Versions"]]
    want(got == [["DefaultEncryptionKey"]], "KmsKeyIds %r" % got)


@check("§G17", "DescribeSecret leaves KmsKeyId out under the default key")
def _():
    n = name("g17")
    sm.create_secret(Name=n, SecretString="one")
    out = sm.describe_secret(SecretId=n)
    want("KmsKeyId" not in out, "KmsKeyId %r" % out.get("KmsKeyId"))


@check("§G18", "a version without labels is deprecated: listed only with IncludeDeprecated, with no VersionStages")
def _():
    n = name("g18")
    v1, v2, v3 = tok(), tok(), tok()
    sm.create_secret(Name=n, SecretString="one", ClientRequestToken=v1)
    sm.put_secret_value(SecretId=n, SecretString="two", ClientRequestToken=v2)
    sm.put_secret_value(SecretId=n, SecretString="three", ClientRequestToken=v3)
    plain, deprecated = stages(n, deprecated=False), stages(n)
    want(sorted(plain) == sorted([v2, v3]), "without IncludeDeprecated: %r" % plain)
    want(deprecated.get(v1, "missing") is None, "with IncludeDeprecated, v1: %r" % deprecated.get(v1, "missing"))


def listed(*filters):
    """listed gives the names (less the run's prefix) ListSecrets finds with
    the filters, within this run's secrets."""
    fs = [{"Key": "name", "Values": [name("")]}] + [{"Key": k, "Values": v} for k, v in filters]
    out = sm.list_secrets(Filters=fs, MaxResults=100)["SecretList"]
    return sorted(e["Name"][len(name("")):] for e in out)


@check("§S2", "the name filter matches a prefix, case-sensitively")
def _():
    sm.create_secret(Name=name("s2-Alpha"), SecretString="x")
    sm.create_secret(Name=name("s2-beta"), SecretString="x")
    want(listed(("name", [name("s2-A")])) == ["s2-Alpha"], "s2-A finds %r" % listed(("name", [name("s2-A")])))
    want(listed(("name", [name("s2-a")])) == [], "s2-a finds %r" % listed(("name", [name("s2-a")])))


@check("§S3", "the description filter is a word match: 'a' finds 'a secret', 'an secret', 'asecret', not 'thesecret'")
def _():
    for i, d in enumerate(["a secret", "an secret", "asecret", "thesecret"]):
        sm.create_secret(Name=name("s3-%d" % i), SecretString="x", Description=d)
    got = [x for x in listed(("description", ["a"])) if x.startswith("s3-")]
    want(got == ["s3-0", "s3-1", "s3-2"], "finds %r" % got)


@check("§S5", "the all filter is a word match over name, description, tags: 'sec' finds SecretOne, 'ret' does not")
def _():
    sm.create_secret(Name=name("s5-SecretOne"), SecretString="x")
    got_sec = [x for x in listed(("all", ["sec"])) if x.startswith("s5-")]
    got_ret = [x for x in listed(("all", ["ret"])) if x.startswith("s5-")]
    want(got_sec == ["s5-SecretOne"], "sec finds %r" % got_sec)
    want(got_ret == [], "ret finds %r" % got_ret)


@check("§S7", "words split before a run's last capital: 'Ythings' finds COMPANYthings, 'things' does not")
def _():
    sm.create_secret(Name=name("s7"), SecretString="x", Description="COMPANYthings")
    got_y = [x for x in listed(("description", ["Ythings"])) if x == "s7"]
    got_t = [x for x in listed(("description", ["things"])) if x == "s7"]
    want(got_y == ["s7"], "Ythings finds %r" % got_y)
    want(got_t == [], "things finds %r" % got_t)


@check("§S9", "a value beginning with '!' excludes: '!a' on descriptions leaves only 'thesecret'")
def _():
    for i, d in enumerate(["a secret", "an secret", "asecret", "thesecret"]):
        sm.create_secret(Name=name("s9-%d" % i), SecretString="x", Description=d)
    got = [x for x in listed(("description", ["!a"])) if x.startswith("s9-")]
    want(got == ["s9-3"], "finds %r" % got)


@check("§X3", "GetSecretValue of a secret scheduled for deletion: InvalidRequestException, AWS's text")
def _():
    n = name("x3")
    sm.create_secret(Name=n, SecretString="one")
    sm.delete_secret(SecretId=n, RecoveryWindowInDays=7)
    fails("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.",
          sm.get_secret_value, SecretId=n)


@check("§X5", "DescribeSecret shows DeletedDate while scheduled for deletion, none after RestoreSecret")
def _():
    n = name("x5")
    sm.create_secret(Name=n, SecretString="one")
    sm.delete_secret(SecretId=n, RecoveryWindowInDays=7)
    during = sm.describe_secret(SecretId=n)
    sm.restore_secret(SecretId=n)
    after = sm.describe_secret(SecretId=n)
    want("DeletedDate" in during, "no DeletedDate while scheduled")
    want("DeletedDate" not in after, "DeletedDate %r after RestoreSecret" % after.get("DeletedDate"))


@check("§X6", "RestoreSecret answers ARN and Name")
def _():
    n = name("x6")
    sm.create_secret(Name=n, SecretString="one")
    sm.delete_secret(SecretId=n, RecoveryWindowInDays=7)
    out = sm.restore_secret(SecretId=n)
    want(members(out) == ["ARN", "Name"], "members %r" % members(out))


@check("§X8", "CreateSecret with the name of a secret scheduled for deletion: InvalidRequestException, AWS's text")
def _():
    n = name("x8")
    sm.create_secret(Name=n, SecretString="one")
    sm.delete_secret(SecretId=n, RecoveryWindowInDays=7)
    fails("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.",
          sm.create_secret, Name=n, SecretString="two")


@check("§X9", "after ForceDeleteWithoutRecovery the name is free at once, with a new ARN")
def _():
    n = name("x9")
    a = sm.create_secret(Name=n, SecretString="one")["ARN"]
    sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)
    b = sm.create_secret(Name=n, SecretString="two")["ARN"]
    want(a != b, "the same ARN %s" % a)


@check("§X10", "ForceDeleteWithoutRecovery of a missing secret succeeds with ARN, Name (the name given), DeletionDate")
def _():
    n = name("x10")
    out = sm.delete_secret(SecretId=n, ForceDeleteWithoutRecovery=True)
    want(members(out) == ["ARN", "DeletionDate", "Name"] and out["Name"] == n,
         "members %r, Name %r" % (members(out), out.get("Name")))


@check("§N1", "an invalid name: ValidationException, AWS's text")
def _():
    fails("ValidationException",
          "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
          sm.create_secret, Name=name("bad#name"), SecretString="one")


@check("§N7", "a SecretId with a character no name holds: §N1's ValidationException on GetSecretValue")
def _():
    fails("ValidationException",
          "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
          sm.get_secret_value, SecretId=name("bad#id"))


@check("§N5", "a SecretId may be the full ARN or the partial ARN (without the six random characters)")
def _():
    n = name("n5")
    arn = sm.create_secret(Name=n, SecretString="one")["ARN"]
    want(sm.get_secret_value(SecretId=arn)["SecretString"] == "one", "by full ARN")
    want(sm.get_secret_value(SecretId=arn[:-7])["SecretString"] == "one", "by partial ARN")


@check("§N9", "a SecretId naming no secret: ResourceNotFoundException, AWS's text")
def _():
    fails("ResourceNotFoundException", "Secrets Manager can't find the specified secret.",
          sm.get_secret_value, SecretId=name("n9"))


@check("§N12", "CreateSecret of an existing name: ResourceExistsException, AWS's text")
def _():
    n = name("n12")
    sm.create_secret(Name=n, SecretString="one")
    fails("ResourceExistsException", "The operation failed because the secret %s already exists." % n,
          sm.create_secret, Name=n, SecretString="two")


@check("§T7", "Tags absent before any tag, [] once all are removed; Tag/UntagResource answer nothing")
def _():
    n = name("t7")
    sm.create_secret(Name=n, SecretString="one")
    before = sm.describe_secret(SecretId=n)
    t = sm.tag_resource(SecretId=n, Tags=[{"Key": "k", "Value": "v"}])
    u = sm.untag_resource(SecretId=n, TagKeys=["k"])
    after = sm.describe_secret(SecretId=n)
    want("Tags" not in before, "Tags before any tag: %r" % before.get("Tags"))
    want(after.get("Tags", "absent") == [], "Tags after removing all: %r" % after.get("Tags", "absent"))
    want(members(t) == [] and members(u) == [], "TagResource %r, UntagResource %r" % (members(t), members(u)))


@check("§P1", "PutResourcePolicy answers ARN, Name; GetResourcePolicy gives the policy as put")
def _():
    n = name("p1")
    sm.create_secret(Name=n, SecretString="one")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
    p = sm.put_resource_policy(SecretId=n, ResourcePolicy=policy)
    g = sm.get_resource_policy(SecretId=n)
    want(members(p) == ["ARN", "Name"], "PutResourcePolicy members %r" % members(p))
    want(g.get("ResourcePolicy") == policy, "GetResourcePolicy %r" % g.get("ResourcePolicy"))
    sm.delete_resource_policy(SecretId=n)


@check("§RT5", "RotateSecret with no rotation function: InvalidRequestException, AWS's text")
def _():
    n = name("rt5")
    sm.create_secret(Name=n, SecretString="one")
    fails("InvalidRequestException", "No Lambda rotation function ARN is associated with this secret.",
          sm.rotate_secret, SecretId=n)


@check("§PW2", "GetRandomPassword never draws ExcludeCharacters")
def _():
    out = sm.get_random_password(PasswordLength=4096, ExcludeCharacters="abcdefABCDEF0123")
    bad = set(out["RandomPassword"]) & set("abcdefABCDEF0123")
    want(len(out["RandomPassword"]) == 4096 and not bad, "excluded characters drawn: %r" % sorted(bad))


@check("§W2", "an error is HTTP 400 with body {\"__type\": bare code, \"Message\": text}")
def _():
    status, body = raw("GetSecretValue", {"SecretId": name("w2")})
    want(status == 400 and sorted(body) == ["Message", "__type"] and body["__type"] == "ResourceNotFoundException",
         "HTTP %d %r" % (status, body))


failed = 0
for rule, what, f in checks:
    try:
        f()
        print("PASS %-5s %s" % (rule, what))
    except Mismatch as e:
        failed += 1
        print("FAIL %-5s %s\n           %s" % (rule, what, e))
    except ClientError as e:
        failed += 1
        print("FAIL %-5s %s\n           unexpected %s: %s" % (rule, what, e.response["Error"].get("Code"), e.response["Error"].get("Message")))
    except Exception as e:  # a server's crash, a parse error: a failure of that check
        failed += 1
        print("FAIL %-5s %s\n           %s: %s" % (rule, what, type(e).__name__, e))
print("%s: %d/%d passed" % (server, len(checks) - failed, len(checks)))
sys.exit(1 if failed else 0)
