#!/usr/bin/env bash
# VERL SFT for recipe llama31-8b-pi2 (pi2).
# Generated from recipes/llama31-8b-pi2.yaml by text2table.training.verl.render_script; regenerate it, do not edit by hand.
# Usage: examples/sft/run_llama31_8b_pi2.sh DATA_DIR DEV_DIR RUN_DIR [extra Hydra overrides for every stage...]
#   DATA_DIR, DEV_DIR: folders written by `text2table prepare`; MODEL (env) overrides the base model.
#   Every stage must get examples; `text2table train sft --engine verl` runs the same commands and skips
#   empty stages, resumes finished steps and sets trainer.total_epochs from the plan.
set -euo pipefail
DATA=$1
DEV=$2
RUN=$3
shift 3
MODEL=${MODEL:-meta-llama/Llama-3.1-8B-Instruct}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# plan: per-stage training files (and plan.json) from the length curriculum
text2table plan "$ROOT/recipes/llama31-8b-pi2.yaml" --data "$DATA" --out "$RUN/plan"
# initial LoRA adapter with PEFT (dropout 0.05)
text2table train init-adapter "$MODEL" --out "$RUN/adapter_init" --rank 128 --alpha 256 --dropout 0.05 --targets q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj
# stage1: SFT, max_length 2048, 654 steps
torchrun --standalone --nnodes=1 --nproc_per_node=2 -m verl.trainer.sft_trainer \
    "model.path='$MODEL'" \
    model.lora_rank=128 \
    model.lora_alpha=256 \
    'model.target_modules=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]' \
    "model.lora_adapter_path='$RUN/adapter_init'" \
    model.use_remove_padding=true \
    model.enable_gradient_checkpointing=true \
    +model.override_config.attn_implementation=flash_attention_2 \
    "data.train_files='$RUN/plan/stage1.parquet'" \
    "data.val_files='$DEV/pi2_sft.parquet'" \
    data.messages_key=messages \
    data.max_length=2048 \
    data.truncation=right \
    data.micro_batch_size_per_gpu=8 \
    data.train_batch_size=64 \
    data.use_dynamic_bsz=false \
    engine=fsdp \
    engine.strategy=fsdp2 \
    engine.ulysses_sequence_parallel_size=1 \
    optim.lr=0.00015 \
    optim.lr_warmup_steps_ratio=0.08 \
    optim.lr_scheduler_type=cosine \
    trainer.total_training_steps=654 \
    trainer.total_epochs=100 \
    "trainer.default_local_dir='$RUN/stage1/ckpt'" \
    trainer.project_name=text2table-sft \
    trainer.experiment_name=llama31-8b-pi2-stage1 \
    'trainer.logger=[console,tensorboard]' \
    trainer.nnodes=1 \
    trainer.n_gpus_per_node=2 \
    trainer.save_freq=200 \
    trainer.test_freq=200 \
    trainer.resume_mode=auto \
    "$@"
# stage1: merge checkpoint -> adapter
python -m verl.model_merger merge --backend fsdp --local_dir "$RUN/stage1/ckpt/global_step_654" --target_dir "$RUN/stage1/merged"
# stage2: SFT, max_length 4096, 818 steps
torchrun --standalone --nnodes=1 --nproc_per_node=2 -m verl.trainer.sft_trainer \
    "model.path='$MODEL'" \
    model.lora_rank=128 \
    model.lora_alpha=256 \
    'model.target_modules=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]' \
    "model.lora_adapter_path='$RUN/stage1/merged/lora_adapter'" \
    model.use_remove_padding=true \
    model.enable_gradient_checkpointing=true \
    +model.override_config.attn_implementation=flash_attention_2 \
    "data.train_files='$RUN/plan/stage2.parquet'" \
    "data.val_files='$DEV/pi2_sft.parquet'" \
    data.messages_key=messages \
    data.max_length=4096 \
    data.truncation=right \
    data.micro_batch_size_per_gpu=4 \
    data.train_batch_size=64 \
    data.use_dynamic_bsz=false \
    engine=fsdp \
    engine.strategy=fsdp2 \
    engine.ulysses_sequence_parallel_size=1 \
    optim.lr=8e-05 \
    optim.lr_warmup_steps_ratio=0.05 \
    optim.lr_scheduler_type=cosine \
    trainer.total_training_steps=818 \
    trainer.total_epochs=100 \
    "trainer.default_local_dir='$RUN/stage2/ckpt'" \
    trainer.project_name=text2table-sft \
    trainer.experiment_name=llama31-8b-pi2-stage2 \
    'trainer.logger=[console,tensorboard]' \
    trainer.nnodes=1 \
    trainer.n_gpus_per_node=2 \
    trainer.save_freq=200 \
    trainer.test_freq=200 \
    trainer.resume_mode=auto \
    "$@"
# stage2: merge checkpoint -> adapter
python -m verl.model_merger merge --backend fsdp --local_dir "$RUN/stage2/ckpt/global_step_818" --target_dir "$RUN/stage2/merged"
# stage3: SFT, max_length 8192, 818 steps
torchrun --standalone --nnodes=1 --nproc_per_node=2 -m verl.trainer.sft_trainer \
    "model.path='$MODEL'" \
    model.lora_rank=128 \
    model.lora_alpha=256 \
    'model.target_modules=[q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj]' \
    "model.lora_adapter_path='$RUN/stage2/merged/lora_adapter'" \
    model.use_remove_padding=true \
    model.enable_gradient_checkpointing=true \
    +model.override_config.attn_implementation=flash_attention_2 \
    "data.train_files='$RUN/plan/stage3.parquet'" \
    "data.val_files='$DEV/pi2_sft.parquet'" \
    data.messages_key=messages \
    data.max_length=8192 \
    data.truncation=right \
    data.micro_batch_size_per_gpu=2 \
    data.train_batch_size=64 \
    data.use_dynamic_bsz=false \
    engine=fsdp \
    engine.strategy=fsdp2 \
    engine.ulysses_sequence_parallel_size=1 \
    optim.lr=5e-05 \
    optim.lr_warmup_steps_ratio=0.03 \
    optim.lr_scheduler_type=cosine \
    trainer.total_training_steps=818 \
    trainer.total_epochs=100 \
    "trainer.default_local_dir='$RUN/stage3/ckpt'" \
    trainer.project_name=text2table-sft \
    trainer.experiment_name=llama31-8b-pi2-stage3 \
    'trainer.logger=[console,tensorboard]' \
    trainer.nnodes=1 \
    trainer.n_gpus_per_node=2 \
    trainer.save_freq=200 \
    trainer.test_freq=200 \
    trainer.resume_mode=auto \
    "$@"
# stage3: merge checkpoint -> adapter
python -m verl.model_merger merge --backend fsdp --local_dir "$RUN/stage3/ckpt/global_step_818" --target_dir "$RUN/stage3/merged"
