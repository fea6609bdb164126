#!/usr/bin/env bash
# Serve the frozen pi2 (base model + its LoRA adapter) with vLLM's OpenAI-compatible server, for
# pipeline-pi1 training (run_llama31_8b_pipeline_pi1.sh). The recipe's rl.pipeline.pi2_base_url must point
# here (default http://127.0.0.1:8001/v1) and rl.pipeline.pi2_served_model must be the LoRA name (pi2).
# Give it its own GPU (GPU=2 below) and train on the others, or share a GPU by lowering both memory shares
# (this server's --gpu-memory-utilization and the trainer's actor_rollout_ref.rollout.gpu_memory_utilization).
# See docs/verl-pipeline-rl.md.
set -euo pipefail
PI2_ADAPTER=${1:?usage: $0 PI2_ADAPTER_DIR [BASE_MODEL] [vllm serve options...]}
BASE=${2:-meta-llama/Llama-3.1-8B-Instruct}
shift $(( $# >= 2 ? 2 : 1 ))
CUDA_VISIBLE_DEVICES=${GPU:-2} exec vllm serve "$BASE" \
    --port "${PORT:-8001}" \
    --enable-lora --lora-modules "pi2=$PI2_ADAPTER" --max-lora-rank 128 \
    --max-model-len 8192 \
    --gpu-memory-utilization "${GPU_SHARE:-0.85}" \
    "$@"
