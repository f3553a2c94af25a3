#!/usr/bin/env bash
# A walkthrough of the governance server (`assay serve`) and its clients, from an empty
# database to a model in production, an incident, a rollback and a verified audit trail:
#
#  1. start `assay serve` on SQLite on a free loopback port, with a bootstrap admin (its token
#     in a 0600 file) and an Ed25519 checkpoint key;
#  2. as the admin: create a model owner (olivia) and two reviewers (rita, of team risk, and
#     ravi), and issue each a token straight into a 0600 file;
#  3. as the owner: register the high-risk model of screening.json beside this script, train
#     version 1.0 (`assay example hiring` + `assay train`), register it with its artifact, and
#     submit `assay fairness --model ... --submit` as its evidence;
#  4. the approval policy in force; a change request to production, which the owner cannot
#     approve and two reviewers do; the owner applies it; a recurring fairness review;
#  5. version 1.1 goes the same way; an incident is opened about it, and the model is rolled
#     back to 1.0;
#  6. as the admin: hand the model over to a new owner;
#  7. the audit trail: verified by the server, a signed checkpoint, the checkpoint's public key,
#     and `assay log verify` of the database against both.
#
# Everything is written to a fresh temporary directory, removed on exit with the server
# stopped (set KEEP=1 to keep the directory); nothing is written into the repository. Tokens
# travel only in ASSAY_TOKEN_FILE, the server's URL in ASSAY_SERVER.
#
# It builds assay with cargo first (the first build compiles about 540 crates: 10 to 20
# minutes on a 2-core machine, seconds afterwards). Set ASSAY=/path/to/assay to use a binary
# you already have. Needs curl or bash's /dev/tcp for the health check.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
if [ -n "${ASSAY:-}" ]; then
  assay_cmd=("$ASSAY")
else
  echo "Building assay with cargo (the first build takes 10 to 20 minutes; later runs start at once)..." >&2
  cargo build -p assay-cli
  assay_cmd=(cargo run --quiet -p assay-cli --)
fi
assay() { "${assay_cmd[@]}" "$@"; }
ex=examples/governance

# Only what this script sets: a token or server from the caller's environment must not leak in
# (ASSAY_TOKEN would win over ASSAY_TOKEN_FILE).
unset ASSAY_TOKEN ASSAY_TOKEN_FILE ASSAY_SERVER ASSAY_CA_CERT

work="$(mktemp -d "${TMPDIR:-/tmp}/assay-governance.XXXXXX")"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n==> %s\n' "$*"; }
# Print only the named fields of the JSON an assay command printed (no jq needed).
pick() { grep -E "^ *\"($1)\":" || true; }
# Hex digits on stdin to bytes, and bytes to hex digits.
# The top-level "id" of the JSON document in a file.
json_id() { sed -n 's/^  "id": \([0-9]*\),\{0,1\}$/\1/p' "$1"; }

step "start assay serve on SQLite, on a free loopback port ($work)"
# --listen 127.0.0.1:0 lets the operating system pick a free port, which the server prints
# ("listening on http://127.0.0.1:PORT"), so there is no race with another program.
# --bootstrap-admin creates the first admin on an empty database and writes its token to
# --bootstrap-token-file (mode 0600, never printed). --checkpoint-key names the Ed25519 key that
# signs audit checkpoints: the server creates the file (64 hex digits, the 32-byte seed, mode
# 0600) when it is missing; assay has no separate keygen command for it. (--checkpoint-every N
# would also sign one every N seconds.)
"${assay_cmd[@]}" serve --db "$work/governance.db" --listen 127.0.0.1:0 \
  --bootstrap-admin root --bootstrap-token-file "$work/root.token" \
  --checkpoint-key "$work/checkpoint.key" >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$work/serve.out")"
  [ -n "$port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "assay serve exited; its log:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$port" ] || { echo "assay serve did not start within 60 s" >&2; exit 1; }
cat "$work/serve.out"
export ASSAY_SERVER="http://127.0.0.1:$port"

step "wait until /health answers"
health() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS "$ASSAY_SERVER/health"
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port" &&
      printf 'GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && cat <&3) | tail -n 1
  fi
}
healthy=""
for _ in $(seq 1 100); do
  if answer="$(health 2>/dev/null)" && [[ "$answer" == *'"status":"ok"'* ]]; then
    healthy=1
    break
  fi
  sleep 0.1
done
[ -n "$healthy" ] || { echo "no answer from $ASSAY_SERVER/health" >&2; exit 1; }
echo "$answer"

step "admin: who the bootstrap token (in a 0600 file) belongs to"
export ASSAY_TOKEN_FILE="$work/root.token"
assay registry whoami | pick 'name|role'

step "admin: create a model owner and two reviewers (rita of team risk, and ravi)"
assay registry user create olivia --role model_owner | pick 'name|role'
assay registry user create rita --role reviewer --teams risk | pick 'name|role'
assay registry user create ravi --role reviewer | pick 'name|role'

step "admin: issue each account a token, straight into a 0600 file"
# A token is shown once; --out writes it to a new file, mode 0600 from the moment it exists,
# so it never reaches the terminal.
for who in olivia rita ravi; do
  assay registry token issue "$who" --label walkthrough --out "$work/$who.token" >/dev/null
  [ -s "$work/$who.token" ] || { echo "no token written for $who" >&2; exit 1; }
  [ "$(ls -l "$work/$who.token" | cut -c1-10)" = "-rw-------" ] ||
    { echo "$work/$who.token is readable by others" >&2; exit 1; }
done
ls -l "$work"/*.token
# Owners are assigned per model: a model's `owner` field names the one model_owner account that
# may change it (versions, artifacts, evidence, change requests, rollback, review schedules). It
# defaults to whoever registers the model; only an admin may name someone else ("owner" in the
# JSON, or --owner) or hand a model over later (`assay registry model update`, below).
# screening.json names olivia, who registers it herself.

step "owner: register the model of $ex/screening.json (EU AI Act: employment, so high-risk)"
export ASSAY_TOKEN_FILE="$work/olivia.token"
assay registry model create --file "$ex/screening.json" | pick 'name|owner|tier'

step "owner: train version 1.0 on synthetic hiring data (labels: who was qualified)"
assay example hiring --rows 5000 --seed 42 --out "$work/train.csv"
assay example hiring --rows 5000 --seed 7 --out "$work/test.csv"
assay train --learner logistic "$work/train.csv" --label qualified --positive 1 \
  --features years_experience,career_gap_years,age --categorical education \
  --standardize --out "$work/model-1.0.json"

step "owner: register version 1.0 by its artifact's SHA-256, and upload the artifact"
assay registry version create screening --version 1.0 --artifact "$work/model-1.0.json" \
  --description "logistic regression" --training-data "assay example hiring --seed 42" |
  pick 'version|stage|artifact_sha256'
assay registry artifact upload screening 1.0 "$work/model-1.0.json" --name model.json |
  pick 'name|sha256|matches_version'

step "owner: audit 1.0 for fairness and submit the report as its evidence"
# The report records the SHA-256 of the model it scored, so the server binds it to the version
# with that artifact; the verdict is the report's own policy result.
assay fairness "$work/test.csv" --model "$work/model-1.0.json" \
  --label qualified --sensitive gender --policy "$ex/fairness-policy.toml" \
  --submit "$ASSAY_SERVER/v1/models/screening/versions/1.0/evidence" >"$work/fairness-1.0.txt"
sed -n '/^Policy /,/╰/p' "$work/fairness-1.0.txt"
assay registry evidence list screening 1.0 | pick 'kind|verdict|bound'

step "the approval policy in force"
# The built-in default (no --policy given to assay serve): prohibited models never move; a
# high-risk model goes to production only with 2 approvals from reviewers or admins, one of
# them a member of team risk, and a passing fairness report no older than 90 days bound to the
# version; every other change needs 1 approval. Separation of duties is not a policy setting:
# the requester and the model's owner never decide a request.
assay registry policy

step "owner: request moving 1.0 to production (what the policy still needs)"
assay registry change open screening 1.0 --to production \
  --impact "first production release: shortlists for every open role" \
  --rollback-plan "no previous version: recruiters screen by hand" >"$work/change-1.0.json"
change="$(json_id "$work/change-1.0.json")"
: "${change:?no id in the answer of change open}"
echo "change request $change"
sed -n '/^  "policy": {/,/^  }/p' "$work/change-1.0.json"

step "separation of duties: the owner cannot approve change $change"
# Refused by role here (model owners never decide changes); the requester and the model's owner
# are refused whatever their role, so even an admin cannot approve a request of their own.
if assay registry change approve "$change" --comment "mine" 2>"$work/denied.txt"; then
  echo "the owner approved her own change request: this must not happen" >&2
  exit 1
fi
sed 's/^/    refused: /' "$work/denied.txt"

step "reviewers approve change $change (rita of team risk, then ravi)"
ASSAY_TOKEN_FILE="$work/rita.token" assay registry change approve "$change" \
  --comment "fairness report passes; impact assessed" | pick 'status'
ASSAY_TOKEN_FILE="$work/ravi.token" assay registry change approve "$change" \
  --comment "rollback plan reviewed" | pick 'status'

step "owner: apply change $change (a CI gate checks it is approved first)"
assay registry change show "$change" --expect approved >/dev/null
assay registry change apply "$change" | pick 'status|version|to_stage'
assay registry model get screening | pick 'production_version'

step "owner: a fairness review every 90 days; nothing is overdue yet"
assay registry schedule create screening --kind fairness --every-days 90 | pick 'kind|every_days'
assay registry schedule overdue --fail-if-any

step "owner: version 1.1 (gradient-boosted trees) the same way: evidence, approvals, apply"
assay train --learner gbdt "$work/train.csv" --label qualified --positive 1 \
  --features years_experience,career_gap_years,age --categorical education \
  --trees 50 --max-depth 3 --out "$work/model-1.1.json"
assay registry version create screening --version 1.1 --artifact "$work/model-1.1.json" \
  --description "gradient-boosted trees" --training-data "assay example hiring --seed 42" |
  pick 'version|stage'
assay registry artifact upload screening 1.1 "$work/model-1.1.json" --name model.json |
  pick 'matches_version'
assay fairness "$work/test.csv" --model "$work/model-1.1.json" \
  --label qualified --sensitive gender --policy "$ex/fairness-policy.toml" \
  --submit "$ASSAY_SERVER/v1/models/screening/versions/1.1/evidence" >"$work/fairness-1.1.txt"
assay registry change open screening 1.1 --to production \
  --impact "replaces 1.0 for every open role" \
  --rollback-plan "assay registry rollback screening (1.0 returns)" >"$work/change-1.1.json"
change="$(json_id "$work/change-1.1.json")"
: "${change:?no id in the answer of change open}"
ASSAY_TOKEN_FILE="$work/rita.token" assay registry change approve "$change" \
  --comment "fairness report passes" | pick 'status'
ASSAY_TOKEN_FILE="$work/ravi.token" assay registry change approve "$change" \
  --comment "rollback plan reviewed" | pick 'status'
assay registry change apply "$change" | pick 'status|version'
# Entering production retires the previous production version (1.0 here).
assay registry version list screening | pick 'version|stage'

step "owner: an incident about 1.1"
assay incident open --title "Shortlist rate for women dropped after 1.1" --severity sev2 \
  --description "weekly monitoring: selection rate for women down 8 points" \
  --version screening@1.1 >"$work/incident.json"
incident="$(json_id "$work/incident.json")"
: "${incident:?no id in the answer of incident open}"
assay incident list --model screening | pick 'id|title|severity|status'

step "owner: roll screening back to 1.0 (one action, no change request)"
# Rollback puts the previous production version back (1.0, retired when 1.1 was applied) and
# moves the demoted version (1.1) to staging, not retired: it can be fixed and promoted again
# through a new change request. The rollback is recorded in the audit trail with its reason.
assay registry rollback screening --reason "incident $incident: selection-rate drop for women" |
  pick 'restored_version|demoted_version'
assay registry version list screening | pick 'version|stage'

step "admin: hand the model over to a new owner (only an admin can)"
export ASSAY_TOKEN_FILE="$work/root.token"
assay registry user create omar --role model_owner | pick 'name|role'
printf '{"owner": "omar"}\n' >"$work/handover.json"
assay registry model update screening --file "$work/handover.json" | pick 'name|owner'
if ASSAY_TOKEN_FILE="$work/olivia.token" assay registry schedule create screening \
  --kind fairness --every-days 30 2>"$work/denied.txt"; then
  echo "olivia still changed a model she no longer owns: this must not happen" >&2
  exit 1
fi
sed 's/^/    refused: /' "$work/denied.txt"

step "admin: verify the audit trail on the server, and sign a checkpoint of its head"
assay registry audit verify | pick 'ok|verified|head_seq'
assay registry audit checkpoint --out "$work/checkpoint.json" | pick 'seq|hash'

step "the checkpoint key's public key"
# The public half of the server's --checkpoint-key file. Publish it: whoever verifies a
# checkpoint against it knows the checkpoint came from this server.
pubkey="$(assay log public-key --key "$work/checkpoint.key")"
signed_by="$(sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p' "$work/checkpoint.json")"
if [ "$pubkey" != "$signed_by" ]; then
  echo "the checkpoint was not signed with $work/checkpoint.key" >&2
  exit 1
fi
echo "public key: $pubkey"

step "verify the database against the signed checkpoint and the public key"
assay log verify --db "$work/governance.db" --checkpoint "$work/checkpoint.json" \
  --public-key "$pubkey"

echo
echo "Walkthrough complete: model screening is back on 1.0, owned by omar, and its audit trail verifies."
exit 0
