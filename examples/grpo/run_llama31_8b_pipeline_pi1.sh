#!/usr/bin/env bash
# GRPO, stage pipeline-pi1: llama31-8b-pi1 with VERL (vLLM rollouts, LoRA, FSDP). Written by
# text2table.training.verl_grpo.example_script from recipes/llama31-8b-pi1.yaml; the same command is printed by
#   text2table train grpo recipes/llama31-8b-pi1.yaml --data DATA --stage pipeline-pi1 --engine verl --out RUN --init-adapter ADAPTER --dry-run
# Extra Hydra overrides go last, e.g. trainer.total_training_steps=20.
set -euo pipefail
DATA=${1:?usage: $0 DATA_DIR RUN_DIR SFT_ADAPTER [overrides...]}
RUN=${2:?usage: $0 DATA_DIR RUN_DIR SFT_ADAPTER [overrides...]}
ADAPTER=${3:?usage: $0 DATA_DIR RUN_DIR SFT_ADAPTER [overrides...]}
shift 3
REWARD=$(python3 -c 'import text2table.rewards.pipeline_remote as m; print(m.__file__)')
# pi1 prompts relabelled text2table/pipeline_pi1 (scored through the pi2 server: serve_pi2_vllm.sh)
python3 -c 'import sys; from text2table.training.verl_grpo import write_pipeline_parquet as w; w(sys.argv[1], sys.argv[2])' "${DATA}/pi1_rl.parquet" "${RUN}/data/pipeline_pi1_train.parquet"
export TOKENIZERS_PARALLELISM=false
python3 -m verl.trainer.main_ppo \
    "algorithm.adv_estimator=grpo" \
    "algorithm.use_kl_in_reward=False" \
    "data.train_files=[${RUN}/data/pipeline_pi1_train.parquet]" \
    "data.val_files=[${RUN}/data/pipeline_pi1_train.parquet]" \
    "data.prompt_key=prompt" \
    "data.reward_fn_key=data_source" \
    "data.train_batch_size=32" \
    "data.max_prompt_length=4096" \
    "data.max_response_length=256" \
    "data.filter_overlong_prompts=True" \
    "data.truncation=error" \
    "data.seed=42" \
    "actor_rollout_ref.model.path=meta-llama/Llama-3.1-8B-Instruct" \
    "actor_rollout_ref.model.lora_rank=128" \
    "actor_rollout_ref.model.lora_alpha=256" \
    "actor_rollout_ref.model.target_modules=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]" \
    "actor_rollout_ref.model.use_remove_padding=True" \
    "actor_rollout_ref.model.enable_gradient_checkpointing=True" \
    "actor_rollout_ref.actor.optim.lr=1e-05" \
    "actor_rollout_ref.actor.optim.lr_warmup_steps_ratio=0.0" \
    "actor_rollout_ref.actor.ppo_mini_batch_size=32" \
    "actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu=8" \
    "actor_rollout_ref.actor.use_kl_loss=True" \
    "actor_rollout_ref.actor.kl_loss_coef=0.001" \
    "actor_rollout_ref.actor.kl_loss_type=low_var_kl" \
    "actor_rollout_ref.actor.clip_ratio=0.2" \
    "actor_rollout_ref.actor.entropy_coeff=0" \
    "actor_rollout_ref.actor.strategy=fsdp2" \
    "actor_rollout_ref.actor.ulysses_sequence_parallel_size=1" \
    "actor_rollout_ref.rollout.name=vllm" \
    "actor_rollout_ref.rollout.n=8" \
    "actor_rollout_ref.rollout.temperature=1.0" \
    "actor_rollout_ref.rollout.top_p=1.0" \
    "actor_rollout_ref.rollout.load_format=safetensors" \
    "actor_rollout_ref.rollout.layered_summon=True" \
    "actor_rollout_ref.rollout.tensor_model_parallel_size=1" \
    "actor_rollout_ref.rollout.gpu_memory_utilization=0.6" \
    "actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu=8" \
    "actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu=8" \
    "reward.custom_reward_function.path=${REWARD}" \
    "reward.custom_reward_function.name=compute_score" \
    "reward.reward_manager.name=naive" \
    "trainer.total_training_steps=300" \
    "trainer.n_gpus_per_node=2" \
    "trainer.nnodes=1" \
    "trainer.default_local_dir=${RUN}/checkpoints" \
    "trainer.project_name=text2table-grpo" \
    "trainer.experiment_name=llama31-8b-pi1-pipeline-pi1" \
    "trainer.logger=[console,tensorboard]" \
    "trainer.save_freq=50" \
    "trainer.test_freq=-1" \
    "trainer.val_before_train=False" \
    "actor_rollout_ref.model.lora_adapter_path=${ADAPTER}" \
    "+reward.custom_reward_function.reward_kwargs.pi2_base_url=http://127.0.0.1:8001/v1" \
    "+reward.custom_reward_function.reward_kwargs.pi2_model=pi2" \
    "+reward.custom_reward_function.reward_kwargs.max_tokens=512" \
    "+reward.custom_reward_function.reward_kwargs.timeout_s=120.0" \
    "+reward.custom_reward_function.reward_kwargs.max_concurrency=64" \
    "+reward.custom_reward_function.reward_kwargs.constrained=True" \
    "$@"
