#!/usr/bin/env bash
# Local LoRA SFT of the embedded SmolLM2-135M-Instruct on CPU with TRL (recipe recipes/smollm2-135m-cpu.yaml).
# Usage: examples/sft/run_smollm2_cpu.sh TRAIN_DIR DEV_DIR RUN_DIR [text2table train sft flags...]
#   TRAIN_DIR, DEV_DIR: folders written by `text2table prepare`; e.g. add --stage-model pi2 --max-steps 30,
#   or --resume to continue an interrupted run.
set -euo pipefail
TRAIN=$1
DEV=$2
RUN=$3
shift 3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

text2table train sft "$ROOT/recipes/smollm2-135m-cpu.yaml" --engine trl --data "$TRAIN" --dev "$DEV" --out "$RUN" "$@"
