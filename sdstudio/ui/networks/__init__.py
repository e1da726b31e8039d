"""The LoRAs and embeddings panel: the files in the models folders, their metadata, a search,
and a click that writes the tag into the prompt."""
