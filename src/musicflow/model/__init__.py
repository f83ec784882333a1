"""A listener's own taste model: dataset, feature vector, estimator, honest evaluation, predictions."""
