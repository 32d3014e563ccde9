#!/usr/bin/env bash
# Runs one fuzz campaign on the cluster of kubectl's current context: the volume, the shard Job,
# and only once every shard has finished, the merge Job; prints the merge's report.
# usage: deploy/k8s/run-campaign.sh [SEED]   (SEED: the campaign's first seed, default 1)
# Environment: WAIT_SECONDS per Job (default 21600), POLL_SECONDS between status checks (10).
# Exit status: the merge's (0 every run passed, 1 failures found, 2 a shard left no store),
# 3 when a shard ended in an error or a Job did not finish in time.
set -euo pipefail
here=$(dirname "$0")
seed=${1:-1}
wait_seconds=${WAIT_SECONDS:-21600}
poll_seconds=${POLL_SECONDS:-10}
if ! [[ $seed =~ ^[0-9]+$ ]]; then
  echo "run-campaign: SEED must be a non-negative integer, got '$seed'" >&2
  exit 2
fi

# Waits until job/$1 has finished and prints Complete or Failed. Not `kubectl wait
# --for=condition=complete`: a Job with a failed pod (a shard that found bugs) ends Failed,
# never Complete, so that would wait out its timeout exactly when the campaign found bugs.
finished() {
  local deadline=$((SECONDS + wait_seconds)) conditions
  while :; do
    conditions=$(kubectl get "job/$1" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}')
    case " $conditions " in
      *" Complete "*) echo Complete; return ;;
      *" Failed "*) echo Failed; return ;;
    esac
    if ((SECONDS >= deadline)); then
      echo "run-campaign: job/$1 has not finished after ${wait_seconds}s" >&2
      exit 3
    fi
    sleep "$poll_seconds"
  done
}

# "POD EXIT-CODE" for each finished pod of job/$1.
exit_codes() {
  kubectl get pods -l "job-name=$1" -o \
    'jsonpath={range .items[*]}{.metadata.name} {.status.containerStatuses[0].state.terminated.exitCode}{"\n"}{end}'
}

kubectl apply -f "$here/pvc.yaml"
# A previous campaign's Jobs: a Job's pod template cannot be changed, and its pods would be
# mistaken for this campaign's.
kubectl delete job corosim-fuzz corosim-merge --ignore-not-found
echo "run-campaign: seed $seed"
sed -E "s/^( *value: )\"[0-9]+\"( *# SEED:.*)$/\1\"$seed\"\2/" "$here/fuzz-job.yaml" | kubectl apply -f -
shards=$(finished corosim-fuzz)
echo "run-campaign: shard Job $shards"
broken=0
while read -r pod code; do
  [ -n "${pod:-}" ] || continue
  echo "run-campaign: $pod exit ${code:-unknown}"
  case ${code:-} in 0 | 1) ;; *) broken=1 ;; esac
done <<<"$(exit_codes corosim-fuzz)"
# Started only now: created with the shards, the merge would find no stores.
kubectl apply -f "$here/merge-job.yaml"
finished corosim-merge >/dev/null
kubectl logs job/corosim-merge
status=$(exit_codes corosim-merge | awk 'NF == 2 { print $2 }' | tail -n 1)
if ((broken)); then
  echo "run-campaign: a shard ended in an error; the campaign is incomplete" >&2
  exit 3
fi
echo "run-campaign: merge exit ${status:-unknown}"
exit "${status:-3}"
