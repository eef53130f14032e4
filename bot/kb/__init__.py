"""The knowledge base: YAML files in, one validated immutable KnowledgeBase out, with its catalogue."""
