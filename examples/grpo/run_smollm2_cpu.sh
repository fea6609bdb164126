#!/usr/bin/env bash
# GRPO on CPU with TRL for the embedded SmolLM2-135M-Instruct: STAGE is pi1, pi2, pipeline-pi1 or pipeline-pi2
# (pipeline-pi1 runs pi2 in process: set rl.pipeline.pi2_adapter in the recipe to the pi2 SFT adapter).
# Extra options go last, e.g. --max-steps 5 --threads 1 --limit-examples 16.
set -euo pipefail
DATA=${1:?usage: $0 DATA_DIR RUN_DIR STAGE [SFT_ADAPTER] [options...]}
RUN=${2:?usage: $0 DATA_DIR RUN_DIR STAGE [SFT_ADAPTER] [options...]}
STAGE=${3:?usage: $0 DATA_DIR RUN_DIR STAGE [SFT_ADAPTER] [options...]}
ADAPTER=${4:-}
shift $(( $# >= 4 ? 4 : 3 ))
exec text2table train grpo recipes/smollm2-135m-cpu.yaml --data "$DATA" --stage "$STAGE" --engine trl \
    --out "$RUN" ${ADAPTER:+--init-adapter "$ADAPTER"} "$@"
