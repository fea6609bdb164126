"""Exporting trained models for other runtimes: PEFT LoRA adapters -> llama.cpp LoRA GGUF files."""

from text2table.export.lora_gguf import (BaseSpec, LoraExport, cached_lora_gguf, convert_lora, peft_scaling, read_base_spec,
                        rope_permute_rows)

__all__ = ["BaseSpec", "LoraExport", "cached_lora_gguf", "convert_lora", "peft_scaling", "read_base_spec",
           "rope_permute_rows"]
