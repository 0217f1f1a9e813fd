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
    ``_routed_params`` and check the names in ``_check_routed``. A subclass
    whose constructor takes routed parameters as keywords (scikeras's idiom,
    ``KerasClassifier(model=build, model__units=32)``) keeps each as an
    attribute of that name: a parameter of its own, listed by ``get_params``
    (so that ``clone`` passes it on) and set by ``set_params``.
    """

    _routed_params: dict = {}
    _constructor_prefixes: tuple = ()
    _routed_keys: tuple = ()  # the keywords the constructor kept as parameters

    def _constructor_routed(self):
        """The routed parameters given to the constructor (or set since), as attributes."""
        return {key: getattr(self, key) for key in getattr(self, "_routed_keys", ())}

    def routed(self, prefix):
        """Name -> value of every ``<prefix>__<name>`` parameter: the dict parameter's,
        then the constructor's (a name set differently in both is a ValueError)."""
        values = dict(getattr(self, self._routed_params.get(prefix, ""), None) or {})
        for key, value in self._constructor_routed().items():
            name = key.partition("__")[2]
            if key.startswith(prefix + "__"):
                holder = self._routed_params.get(prefix)
                if name in values and values[name] is not value and values[name] != value:
                    raise ValueError(
                        f"{key}={value!r} and {holder}[{name!r}]={values[name]!r} set the "
                        "same parameter; pass one of them."
                    )
                values[name] = value
        return values

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
        params.update(self._constructor_routed())
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
        routed, own = {}, self._constructor_routed()
        for key in list(params):
            prefix, separator, name = key.partition("__")
            if key in own or (separator and prefix in self._constructor_prefixes
                              and prefix not in self._routed_params):
                # given to the constructor (or with no dict to hold it): an attribute
                self._check_routed(prefix, {name: params[key]})
                setattr(self, key, params.pop(key))
                if key not in own:
                    self._routed_keys = (*self._routed_keys, key)
            elif separator and prefix in self._routed_params:
                routed.setdefault(prefix, {})[name] = params.pop(key)
        super().set_params(**params)  # first: a new model or optimizer applies below
        for prefix, values in routed.items():
            self._check_routed(prefix, values)
            holder = self._routed_params[prefix]
            setattr(self, holder, {**(getattr(self, holder) or {}), **values})
        return self

    def _check_routed(self, prefix, values):
        if prefix == "optimizer":
            check_optimizer_params(self.optimizer, values, learning_rate_routed=True)


def check_optimizer_params(optimizer, params, learning_rate_routed=False):
    """Raise a ValueError for a name in ``params`` that ``optimizer`` does not take.

    Parameters
    ----------
    optimizer : str or keras.optimizers.Optimizer
    params : dict or None
        Keyword arguments for the optimizer (``optimizer__<name>``).
    learning_rate_routed : bool, default=False
        Whether ``learning_rate`` is accepted (scikeras's
        ``optimizer__learning_rate``, which sets the estimator's step size).
    """
    if not params:
        return
    if optimizer == "lbfgs":
        accepted = ["max_fun"]
    else:
        accepted = optimizer_keywords(optimizer)
    label = optimizer if isinstance(optimizer, str) else type(optimizer).__name__
    for name in params:
        if name == "learning_rate":
            if learning_rate_routed:
                continue
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
