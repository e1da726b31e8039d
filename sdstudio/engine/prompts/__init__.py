"""Prompts as A1111 users write them: attention weights, BREAK, 75-token chunks, and the
``<lora:…>`` tags and embedding names that bring extra networks in."""
