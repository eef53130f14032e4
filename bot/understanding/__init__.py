"""Understanding a message: the index, ranking, the decision and its evaluation."""
