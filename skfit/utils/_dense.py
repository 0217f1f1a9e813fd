"""The size of a dense network, for the MLP (which loop trains it) and the search (its budget)."""


def dense_weights(widths):
    """Number of weights and biases of Dense layers between consecutive ``widths``
    (inputs, hidden layers, outputs)."""
    widths = list(widths)
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(widths[:-1], widths[1:]))
