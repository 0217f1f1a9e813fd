"""``<prefix>__<name>`` parameters routed into a dict parameter.

``optimizer__momentum=0.9`` sets ``optimizer_params["momentum"]``, and (for the
wrappers) ``model__units=32`` sets ``model_params["units"]``, through
``get_params`` / ``set_params``, so that grid searches and ``clone`` see them
as ordinary parameters. Unknown names fail at ``set_params`` (and again at
``fit``, for dicts given to the constructor) with the accepted names and a
"did you mean" hint.
"""

import difflib

from ._objectives import optimizer_keywords


class RoutedParamsMixin:
    """get_params/set_params for ``<prefix>__<name>`` parameters.

    Subclasses map each prefix to the dict parameter that holds its values in
    ``_routed_params`` and check the names in ``_check_routed``.
    """

    _routed_params: dict = {}

    def get_params(self, deep=True):
        """Get the parameters, with ``<prefix>__<name>`` entries for the routed dicts.

        Parameters
        ----------
        deep : bool, default=True
            When True, also list each entry of the routed dicts
            (``optimizer_params``, and ``model_params`` for the wrappers) as
            ``optimizer__<name>`` / ``model__<name>``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        if deep:
            for prefix, holder in self._routed_params.items():
                values = getattr(self, holder, None)
                if isinstance(values, dict):
                    params.update({f"{prefix}__{k}": v for k, v in values.items()})
        return params

    def set_params(self, **params):
        """Set parameters, ``optimizer__<name>`` and ``model__<name>`` included.

        A routed name is checked against what the optimizer (or the model
        function) accepts, with a "did you mean" hint for a misspelling.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and routed ``<prefix>__<name>`` values.

        Returns
        -------
        self : object
            The estimator.
        """
        routed = {}
        for key in list(params):
            prefix, separator, name = key.partition("__")
            if separator and prefix in self._routed_params:
                routed.setdefault(prefix, {})[name] = params.pop(key)
        super().set_params(**params)  # first: a new model or optimizer applies below
        for prefix, values in routed.items():
            self._check_routed(prefix, values)
            holder = self._routed_params[prefix]
            setattr(self, holder, {**(getattr(self, holder) or {}), **values})
        return self

    def _check_routed(self, prefix, values):
        if prefix == "optimizer":
            check_optimizer_params(self.optimizer, values)


def check_optimizer_params(optimizer, params):
    """Raise a ValueError for a name in ``params`` that ``optimizer`` does not take.

    Parameters
    ----------
    optimizer : str or keras.optimizers.Optimizer
    params : dict or None
        Keyword arguments for the optimizer (``optimizer__<name>``).
    """
    if not params:
        return
    accepted = optimizer_keywords(optimizer)
    label = optimizer if isinstance(optimizer, str) else type(optimizer).__name__
    for name in params:
        if name == "learning_rate":
            raise ValueError(
                "optimizer__learning_rate is not routed: set the estimator's own "
                "learning_rate parameter instead."
            )
        if name not in accepted:
            raise unknown_name_error(f"The {label!r} optimizer", "optimizer", name, accepted)


def unknown_name_error(owner, prefix, name, accepted):
    """A ValueError for ``<prefix>__<name>`` that ``owner`` does not accept."""
    close = difflib.get_close_matches(name, accepted, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ValueError(
        f"{owner} has no parameter {name!r} (set as {prefix}__{name}); its parameters "
        f"are {sorted(accepted)}.{hint}"
    )
