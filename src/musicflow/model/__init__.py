"""The model of a listener's taste: training data, the estimator, its evaluation, and the registry."""
