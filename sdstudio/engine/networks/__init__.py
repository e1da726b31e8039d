"""Extra networks, as A1111 calls them: LoRAs named by ``<lora:NAME:WEIGHT>`` tags and
textual-inversion embeddings named by a word of the prompt. Files, their metadata and hashes;
applying them to a pipeline through diffusers' own loaders (PEFT for LoRA)."""
