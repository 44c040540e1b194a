#!/usr/bin/env bash
# Terraform checked by Terraform itself, offline: `terraform init`, `validate`, `plan`, `apply`
# into a throwaway local state and `terraform test`, against stand-in providers that serve the
# real azurerm, databricks, random and time schemas (crates/tf-standin, schemas from the pinned
# @cdktf/provider-* npm packages). Then the negative tests: each injects one mistake a user
# makes into a copy of the template and requires the check to fail with Terraform's own words.
#
# Usage: tools/terraform/offline-check.sh [positive|negative|all]   (default all)
# Needs: terraform (>= 1.9), python3, tools/node_modules (npm ci --prefix tools), and the
# stand-in and service binaries in $BIN_DIR (default target/debug; make check-terraform builds them).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WHAT=${1:-all}
TF=${TERRAFORM:-terraform}
BIN_DIR=${BIN_DIR:-$ROOT/target/debug}
WORK=${TF_CHECK_DIR:-$ROOT/target/tf-check}
NODE_MODULES=$ROOT/tools/node_modules
STANDIN=$BIN_DIR/terraform-provider-standin

if ! command -v "$TF" >/dev/null; then
  echo "ERROR: terraform is not installed. The Terraform checks run Terraform itself (>= 1.9;" >&2
  echo "checked with 1.11). It is in neither apt nor PyPI: install the release binary as" >&2
  echo "/usr/local/bin/terraform (or set TERRAFORM=/path/to/terraform) and run again." >&2
  exit 2
fi
[[ -x $STANDIN ]] || { echo "ERROR: $STANDIN missing: cargo build -p playground-tf-standin" >&2; exit 2; }
[[ -d $NODE_MODULES/@cdktf/provider-azurerm ]] || { echo "ERROR: $NODE_MODULES lacks the schemas: npm ci --prefix tools" >&2; exit 2; }

# No network, no telemetry, no credentials: an empty CLI configuration.
mkdir -p "$WORK"
: >"$WORK/terraformrc"
export TF_CLI_CONFIG_FILE=$WORK/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
# The applied state, which the container-environment contract reads (test_container_env.py).
export TF_STATE_JSON=$WORK/state.json
unset TF_PLUGIN_CACHE_DIR

# --- the stand-ins, in a filesystem mirror under the real providers' names and versions ------
SCHEMAS=$WORK/schemas
if [[ ! -f $SCHEMAS/azurerm.json || $ROOT/tools/package-lock.json -nt $SCHEMAS/azurerm.json ||
      $ROOT/tools/terraform/standin_schema.py -nt $SCHEMAS/azurerm.json ]]; then
  python3 "$ROOT/tools/terraform/standin_schema.py" "$NODE_MODULES" "$SCHEMAS"
fi
PLATFORM=$("$TF" version -json | python3 -c 'import json,sys; print(json.load(sys.stdin)["platform"])')
PLUGINS=$WORK/plugins
rm -rf "$PLUGINS"
for schema in "$SCHEMAS"/*.json; do
  read -r ns name version < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["namespace"], s["name"], s["provider_version"])' "$schema")
  dir=$PLUGINS/registry.terraform.io/$ns/$name/$version/$PLATFORM
  mkdir -p "$dir"
  cp "$STANDIN" "$dir/terraform-provider-${name}_v$version"
  cp "$schema" "$dir/schema.json"
done

# A fresh copy of the template (no state, no lock file: the lock records the real providers'
# hashes, which stand-ins cannot match).
fresh_copy() {
  rm -rf "$1"
  mkdir -p "$1"
  (cd "$ROOT/terraform" && tar --exclude=.terraform --exclude='*.tfstate*' --exclude=.terraform.lock.hcl -cf - .) | tar -xf - -C "$1"
}

# What the user runs, with the variables README's apply gives.
VARS=(-var subscription_id=11111111-2222-3333-4444-555555555555 -var registry=playgroundacr.azurecr.io/playground -var image_tag=1.0)

tf_init() { "$TF" -chdir="$1" init -input=false -no-color -plugin-dir="$PLUGINS"; }
tf_validate() { "$TF" -chdir="$1" validate -no-color; }

# The playground's expected container environments, from the services' own --help.
write_env_test() {
  python3 "$ROOT/tools/terraform/container_env_test.py" "$BIN_DIR" >"$1/tests/container_env_generated.tftest.hcl"
}

positive() {
  local dir=$WORK/root
  fresh_copy "$dir"
  echo "== terraform init (stand-ins from $PLUGINS)"
  tf_init "$dir"
  echo "== terraform validate"
  tf_validate "$dir"
  echo "== terraform plan"
  "$TF" -chdir="$dir" plan -no-color -out=tfplan "${VARS[@]}" >"$WORK/plan.txt" || { cat "$WORK/plan.txt"; return 1; }
  grep -E '^Plan: ' "$WORK/plan.txt"
  echo "== terraform apply (local throwaway state)"
  "$TF" -chdir="$dir" apply -no-color -auto-approve tfplan >"$WORK/apply.txt" || { cat "$WORK/apply.txt"; return 1; }
  grep -E '^Apply complete' "$WORK/apply.txt"
  echo "== a second plan after apply changes nothing"
  "$TF" -chdir="$dir" plan -no-color -detailed-exitcode "${VARS[@]}" >"$WORK/replan.txt" || {
    cat "$WORK/replan.txt"; echo "ERROR: the plan after apply is not empty" >&2; return 1; }
  "$TF" -chdir="$dir" show -json >"$WORK/state.json"
  "$TF" -chdir="$dir" graph -type=apply >"$WORK/graph.dot"
  python3 "$ROOT/tools/terraform/check_graph.py" "$WORK/graph.dot"
  echo "== terraform test"
  write_env_test "$dir"
  "$TF" -chdir="$dir" test -no-color
  echo "== terraform destroy"
  "$TF" -chdir="$dir" destroy -no-color -auto-approve "${VARS[@]}" | grep -E '^Destroy complete'
}

# One mistake a user makes, injected into a copy: the check must fail, naming it as Terraform
# does. $1 case name, $2 expected message, then edits "file|||old text|||new text" (each old
# text must occur). MODE=test runs `terraform test` after validate, MODE=graph the ordering
# rules on `terraform graph`, else `terraform plan`; TEST_FILE limits `terraform test` to one
# file of terraform/tests. Cases run TF_CHECK_JOBS (default 2) at a time, each in its own
# copy; negative_report prints their results in order.
FAILED=0
JOBS=${TF_CHECK_JOBS:-2}
CASES=()
negative_case() {
  while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n || true; done
  mkdir -p "$WORK/negative-logs"
  ( rc=0; negative_case_run "$@" || rc=1; echo $rc >"$WORK/negative-logs/$1.rc" ) \
    >"$WORK/negative-logs/$1.log" 2>&1 &
  CASES+=("$1")
}

negative_report() {
  wait
  local name
  for name in "${CASES[@]}"; do
    cat "$WORK/negative-logs/$name.log"
    [[ $(cat "$WORK/negative-logs/$name.rc" 2>/dev/null) == 0 ]] || FAILED=1
  done
  CASES=()
}

negative_case_run() {
  local name=$1 expected=$2 dir=$WORK/negative/$1 out rc=0
  shift 2
  fresh_copy "$dir"
  if [[ ${MODE:-plan} == test ]]; then write_env_test "$dir"; fi
  python3 - "$dir" "$@" <<'PY'
import sys
root, edits = sys.argv[1], sys.argv[2:]
for edit in edits:
    file, old, new = edit.split("|||")
    path = f"{root}/{file}"
    text = open(path).read()
    if old not in text:
        sys.exit(f"negative test setup: {old!r} is not in {file}")
    open(path, "w").write(text.replace(old, new, 1))
PY
  if out=$( { tf_init "$dir" && tf_validate "$dir" && case ${MODE:-plan} in
      plan) "$TF" -chdir="$dir" plan -no-color "${VARS[@]}" ;;
      test) "$TF" -chdir="$dir" test -no-color ${TEST_FILE:+-filter=tests/$TEST_FILE} ;;
      graph) "$TF" -chdir="$dir" graph -type=apply >"$dir/graph.dot" && python3 "$ROOT/tools/terraform/check_graph.py" "$dir/graph.dot" ;;
    esac; } 2>&1); then
    echo "FAIL $name: the check passed a template with the mistake injected" >&2
    rc=1
  elif grep -qF -- "$expected" <<<"$out"; then
    echo "ok   $name: $(grep -F -m1 -- "$expected" <<<"$out" | sed 's/^[│ ]*//')"
  else
    echo "FAIL $name: failed, but without \"$expected\":" >&2
    echo "$out" | tail -20 >&2
    rc=1
  fi
  rm -rf "$dir/.terraform"
  return $rc
}

negative() {
  echo "== negative tests: each mistake must fail the check with Terraform's own message"
  negative_case misspelled-argument 'An argument named "account_replicaton_type" is not expected here' \
    'modules/storage/main.tf|||account_replication_type|||account_replicaton_type'
  negative_case missing-required-argument 'The argument "location" is required, but no definition was found.' \
    'main.tf|||  location = var.location
  tags     = var.tags
|||  tags     = var.tags
'
  negative_case wrong-type 'Incorrect attribute value type' \
    'modules/containers/main.tf|||os_type             = "Linux"|||os_type             = ["Linux"]'
  negative_case block-for-attribute 'Blocks of type "tags" are not expected here' \
    'modules/containers/main.tf|||tags                = merge(var.tags, { service = each.value.service })|||tags { service = each.value.service }'
  negative_case undeclared-variable 'Reference to undeclared input variable' \
    'main.tf|||location = var.location|||location = var.region'
  negative_case undeclared-module-output 'This object does not have an attribute named "account_resource_id"' \
    'main.tf|||storage_account_id  = module.storage.account_id|||storage_account_id  = module.storage.account_resource_id'
  negative_case interpolation-in-description 'Variables not allowed' \
    'variables.tf|||description = "Tag of the six service images."|||description = "Tag of the images (${var.registry})."'
  negative_case set-indexed 'Elements of a set are identified only by their value' \
    'modules/containers/outputs.tf|||k => g.name }|||k => g.identity[0].identity_ids[0] }'
  # The provider marks the key sensitive; a module output passing it on unmarked still carries
  # the mark, and a root output must then say sensitive = true.
  negative_case sensitive-attribute-in-output 'Output refers to sensitive values' \
    'modules/monitoring/outputs.tf|||  value       = azurerm_log_analytics_workspace.logs.primary_shared_key
  sensitive   = true
|||  value       = azurerm_log_analytics_workspace.logs.primary_shared_key
' \
    'outputs.tf|||output "resource_group" {|||output "log_key" {
  value = module.monitoring.workspace_key
}

output "resource_group" {'

  echo "== negative tests of the wiring: terraform test and the graph rules must catch these"
  MODE=test TEST_FILE=wiring.tftest.hcl negative_case role-on-a-wider-scope "The services' identities must have exactly" \
    'modules/identities/main.tf|||users     = { role = "Storage Blob Data Contributor", scope = var.bronze_scope }|||users     = { role = "Storage Blob Data Contributor", scope = split("/blobServices/", var.bronze_scope)[0] }'
  MODE=test TEST_FILE=wiring.tftest.hcl negative_case shard-format 'Shard i of n must get SHARD = "i/n"' \
    'container_env.tf|||SHARD           = "%d/${var.shards}"|||SHARD           = "%d"'
  MODE=test TEST_FILE=container_env_generated.tftest.hcl negative_case env-lacks-a-variable-the-service-reads \
    "The users container groups do not set exactly the variables" \
    'container_env.tf|||      VIP_COUNT          = var.vip_count
|||'
  MODE=graph negative_case stream-input-names-a-literal-consumer-group \
    'does not depend on module.eventhubs.azurerm_eventhub_consumer_group.reader' \
    'modules/stream_analytics/main.tf|||eventhub_consumer_group_name = var.consumer_groups["${each.key}/streamanalytics"]|||eventhub_consumer_group_name = "streamanalytics"'
  MODE=graph negative_case secrets-before-the-role "Key Vault secrets are written after the deployer's role" \
    'modules/keyvault/main.tf|||  depends_on = [time_sleep.deployer_role_propagation]
|||'

  echo "== negative tests of one apply, nothing by hand (issue 13)"
  MODE=test TEST_FILE=one_apply.tftest.hcl negative_case sql-admin-is-a-person \
    "The SQL server's Entra admin must be the deployment's own identity" \
    'main.tf|||admin_object_id     = azurerm_user_assigned_identity.sql_admin.principal_id|||admin_object_id     = data.azurerm_client_config.current.object_id'
  MODE=graph negative_case orders-and-items-before-their-database-users \
    'does not depend on azurerm_resource_deployment_script_azure_power_shell.sql_users' \
    'main.tf|||, azurerm_resource_deployment_script_azure_power_shell.sql_users]|||]'
  MODE=test TEST_FILE=one_apply.tftest.hcl negative_case batch-group-never-restarts \
    'Batch groups must restart on failure' \
    'container_env.tf|||orders    = { cpu = 1, memory = 1, restart_policy = "OnFailure" }|||orders    = { cpu = 1, memory = 1, restart_policy = "Never" }'
  MODE=test TEST_FILE=one_apply.tftest.hcl negative_case unity-catalog-grant-to-account-users \
    "Unity Catalog grants go to Data Factory's identity only" \
    'modules/databricks/main.tf|||    principal  = databricks_service_principal.pipeline.application_id
    privileges = ["USE_SCHEMA"|||    principal  = "account users"
    privileges = ["USE_SCHEMA"'
  MODE=test TEST_FILE=one_apply.tftest.hcl negative_case destroy-fails-on-the-notebooks-tables \
    'terraform destroy must remove the storage credential' \
    'modules/databricks/main.tf|||  storage_root  = "${local.lake["silver"]}unity-catalog"
  force_destroy = true|||  storage_root  = "${local.lake["silver"]}unity-catalog"'
  MODE=test TEST_FILE=one_apply.tftest.hcl negative_case pipeline-copies-every-hour \
    'copy_if_changed must copy only when no copy of the current row counts exists' \
    "modules/data_factory/main.tf|||value = \"@not(activity('copied_before').output.exists)\"|||value = \"@true\""
  MODE=test TEST_FILE=stream_analytics.tftest.hcl negative_case users-as-reference-data \
    "The job's only reference data is the VIP list" \
    'modules/stream_analytics/main.tf|||    vip = "users/vip.json"|||    users = "users/users.json"
    vip   = "users/vip.json"'
  negative_report
  return $FAILED
}

case $WHAT in
  positive) positive ;;
  negative) negative ;;
  # Not `positive && negative`: bash ignores `set -e` inside a function called on the left of &&.
  all) positive; negative ;;
  *) echo "usage: $0 [positive|negative|all]" >&2; exit 2 ;;
esac
echo "terraform offline check ($WHAT): OK ($("$TF" version | head -1), stand-ins: $(cd "$PLUGINS/registry.terraform.io" && ls -d */*/* | tr '\n' ' '))"
