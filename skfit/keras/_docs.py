"""The docstring entries the Keras estimators share, written once.

Each estimator's class docstring names its parameters and attributes with
``%(name)s`` placeholders (see :mod:`skfit.utils._docstrings`); the texts
that differ between classifiers and regressors are values given to the
decorator (``%(stratified)s``, ``%(metric)s``).
"""

from ..utils._docstrings import DocEntries

KERAS_ENTRIES = DocEntries(
    hidden_layer_sizes="""hidden_layer_sizes : int or tuple of int, default=(100,)
        Units of each hidden layer: the network's capacity. ``()`` gives a
        linear model (%(linear)s).""",
    activation="""activation : str, default="relu"
        Activation of the hidden layers, one of %(activations)s.""",
    dropout="""dropout : float in [0, 1), default=0.0
        Fraction of each hidden layer's outputs zeroed at training time.""",
    l1_l2="""l1, l2 : float >= 0, default=0.0
        L1 and L2 weight penalties on every kernel. They are part of the
        training ``loss``; ``val_loss`` is the data loss alone, so that
        validation curves with and without a penalty compare (through
        ``model.fit``, Keras adds them to ``val_loss`` too).""",
    model="""model : keras.Model or callable, default=None
        A Keras model (each fit trains a fresh clone of it) or a function
        returning a new model. The function may take the arguments
        ``n_features_in`` and ``n_outputs``%(n_classes)s (filled from the
        data) and any of its own, set through ``model_params`` or, in a grid
        search, as ``model__<name>``.""",
    model_params="""model_params : dict, default=None
        Arguments of the ``model`` function (never modified by skfit).""",
    loss="""loss : str or callable, default=None
        A Keras loss of ``(y_true, y_pred)`` per sample; default
        %(default_loss)s.""",
    optimizer="""optimizer : str or keras.optimizers.Optimizer, default="rmsprop"
        Optimizer name (e.g. "sgd", "adam", "rmsprop") or instance; its
        learning rate is always set from ``learning_rate``.""",
    optimizer_params="""optimizer_params : dict, default=None
        Keyword arguments of the Keras optimizer (``momentum``, ``beta_1``,
        ``clipnorm``...), also settable one by one as
        ``optimizer__<name>`` (e.g. in a grid search).""",
    learning_rate="""learning_rate : float > 0 or {"constant", "invscaling", "adaptive"}, \
default=1e-3
        Step size of the optimizer. A schedule's name (scikit-learn's
        ``learning_rate``) keeps the step size at 1e-3%(rate_init)s and sets
        the schedule: "invscaling" divides it by ``(t + 1) ** power_t`` after
        each epoch (``t`` training samples seen); "adaptive" divides it by 5
        whenever the monitored loss has not improved for ``patience`` epochs,
        and ends training once it is below 1e-6.""",
    batch_size="""batch_size : int >= 1 or "auto", default="auto"
        Rows per gradient step (capped at the number of training rows).
        "auto" is ``min(128, ceil(n_train / 4))``: batches of 128, or at
        least 4 batches per epoch on tables of fewer than 512 training rows.""",
    epochs="""epochs : int >= 1 or "auto", default="auto"
        Passes over the training data (at most, with early stopping).
        "auto" is ``max(20, min(100, ceil(2000 / batches_per_epoch)))``:
        100 epochs up to 2,560 training rows, then as many as make 2,000
        gradient steps, but at least 20 (from 12,673 training rows up).
        The chapter's setting is ``epochs=20, batch_size=128``.""",
    validation_fraction="""validation_fraction : float in [0, 1), default=0.1
        Share of the training rows held out (shuffled%(stratified)s)
        to compute ``val_loss`` each epoch. 0 disables validation.""",
    early_stopping="""early_stopping : bool, default=False
        Stop when the validation loss (training loss without validation)
        has not improved for ``patience`` epochs, and restore the weights of
        the best epoch.""",
    patience="""patience : int >= 1, default=5
        Epochs without improvement before early stopping.""",
    warm_start="""warm_start : bool, default=False
        When True, ``fit`` on a fitted estimator continues from its weights
        and optimizer state for ``epochs`` more epochs (same classes and
        features required) and ``history_`` grows; see also
        ``partial_fit``. With early stopping, a fit that ran out of epochs
        goes on from its last epoch, its best epoch and patience carried
        over (several such fits equal one longer fit); a fit that early
        stopping ended goes on from the restored best epoch. After a change
        of optimizer (or of its slots: ``amsgrad``, momentum), the weights
        carry over and the optimizer starts afresh.""",
    shuffle="""shuffle : bool, default=True
        Reshuffle the training rows every epoch (seeded); False trains on
        them in order.""",
    class_weight="""class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, as in scikit-learn (finite and
        >= 0; not for a multilabel ``y``).""",
    callbacks="""callbacks : list of keras.callbacks.Callback, default=None
        Keras callbacks; when given, training runs through ``model.fit``.""",
    engine="""engine : {"auto", "compiled", "numpy", "keras"}, default="auto"
        "compiled" trains all epochs in one compiled TensorFlow graph call;
        "numpy" (skfit's MLPs) runs the same training in NumPy, with no
        TensorFlow set-up to pay (faster for small networks); "keras" uses
        ``model.fit``. "auto" picks "keras" when callbacks are given, else
        "numpy" for an MLP of at most 50,000 weights whose optimizer it has
        (SGD, RMSprop, Adam), else "compiled". NumPy and TensorFlow draw the
        shuffles and dropout masks differently: the same seed gives the same
        predictions within an engine.""",
    random_state="""random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, the validation split, shuffling and
        dropout. The same seed gives the same predictions.""",
    verbose="""verbose : int, default=0
        When > 0, print each epoch's losses and metrics as the epoch ends
        (Keras-style, one line per epoch), and say when early stopping or a
        non-finite loss ended training.""",
    log_dir="""log_dir : str or path-like, default=None
        When given, each fit writes a TensorBoard run folder under it: the
        per-epoch training and validation values (the numbers of
        ``history_``) and the estimator's parameters (HParams plugin).
        Needs the ``tensorboard`` package.""",
    solver="""solver : {"adam", "sgd", "lbfgs"}, default=None
        The ``optimizer``, under scikit-learn's name; with it, scikit-learn's
        defaults of the solver's options apply (SGD: ``momentum=0.9``,
        Nesterov's; Adam: ``epsilon=1e-8``). "lbfgs" minimizes the whole
        training loss with SciPy's L-BFGS-B (``max_iter`` iterations, no
        dropout; as in scikit-learn, ``early_stopping`` is for the other
        solvers). None: ``optimizer`` decides.""",
    alpha="""alpha : float >= 0, default=None
        The L2 penalty in scikit-learn's terms: ``alpha / 2 * sum(w ** 2)``
        divided by the rows of scikit-learn's batch, i.e. ``l2 = alpha / (2 *
        rows)`` with scikit-learn's batch size ("auto": ``min(200,
        n_train)``; the whole training part for L-BFGS), so that each step
        regularizes as scikit-learn's does. None: ``l2`` decides.""",
    learning_rate_init="""learning_rate_init : float > 0, default=None
        The step size ``learning_rate``, under scikit-learn's name.""",
    max_iter="""max_iter : int >= 1, default=None
        The ``epochs``, under scikit-learn's name and with its meaning: a
        cap. Given any of scikit-learn's own names (``max_iter``, ``solver``,
        ``alpha``, ``learning_rate_init``, ``n_iter_no_change``...),
        training stops as scikit-learn's: without early stopping, once the
        training loss has not improved by ``tol`` (default 1e-4) for
        ``n_iter_no_change`` (default 10) epochs, keeping the last weights;
        with early stopping, after ``n_iter_no_change`` (default 10) epochs
        without a better validation loss.""",
    n_iter_no_change="""n_iter_no_change : int >= 1, default=None
        The ``patience``, under scikit-learn's name.""",
    tol="""tol : float >= 0, default=None
        Least decrease of the monitored loss that counts as an improvement
        (early stopping, the "adaptive" schedule); L-BFGS's gradient
        tolerance. None: 0 (1e-4 for L-BFGS, scikit-learn's default).""",
    momentum="""momentum : float in [0, 1], default=None
        The SGD solver's momentum (``optimizer__momentum``).""",
    nesterovs_momentum="""nesterovs_momentum : bool, default=None
        Whether the SGD solver uses Nesterov's momentum
        (``optimizer__nesterov``).""",
    beta_1="""beta_1 : float in [0, 1), default=None
        The Adam solver's first-moment decay (``optimizer__beta_1``).""",
    beta_2="""beta_2 : float in [0, 1), default=None
        The Adam solver's second-moment decay (``optimizer__beta_2``).""",
    epsilon="""epsilon : float > 0, default=None
        The Adam solver's epsilon (``optimizer__epsilon``).""",
    power_t="""power_t : float >= 0, default=0.5
        The exponent of the "invscaling" schedule.""",
    max_fun="""max_fun : int >= 1, default=15000
        Most loss evaluations of L-BFGS.""",
    routed="""**routed : object
        Routed parameters given as keywords, scikeras's idiom:
        ``model__<name>`` (an argument of the ``model`` function, as
        ``model_params`` holds them), ``optimizer__<name>`` (of the
        optimizer; ``optimizer__learning_rate`` is the step size),
        ``loss__<name>`` (of a Keras ``Loss`` class, instance or class name
        given as ``loss``) and ``callbacks__<name>`` (of each callback given
        as a class; ``callbacks__<i>__<name>`` of the ``i``-th). Each is a
        parameter of its own (``get_params``, ``clone``, grid searches),
        checked with a "did you mean" at ``set_params`` and in ``fit``.""",
    classes_="""classes_ : ndarray of shape (n_classes,)
        Class labels (for a multilabel ``y``, the label indices
        ``0 .. n_labels - 1``).""",
    model_="""model_ : keras.Model
        The fitted network (built on first access); ``model_.save(path)``
        gives it in Keras's own format, for use outside scikit-learn.""",
    history_="""history_ : dict of str to list of float
        Per-epoch ``loss``%(metric)s; with validation, ``val_loss``%(val_metric)s
        too (over all fits of a warm start or ``partial_fit``).""",
    best_epoch_="""best_epoch_ : int
        1-based epoch of the lowest validation loss (training loss without
        validation); with early stopping, the weights kept are this epoch's.""",
    n_epochs_="""n_epochs_ : int
        Epochs run (over all fits of a warm start or ``partial_fit``).""",
    batch_size_="""batch_size_ : int
        Rows per gradient step of the last fit (``batch_size`` resolved).""",
    n_outputs_="""n_outputs_ : int
        Units of the output layer.""",
    loss_curve_="""loss_curve_ : list of float
        Training loss of each epoch (``history_["loss"]``, scikit-learn's
        name).""",
    validation_scores_="""validation_scores_ : list of float or None
        Validation %(score)s of each epoch, as scikit-learn's (which keeps
        it only with early stopping); None without a validation set.""",
    best_validation_score_="""best_validation_score_ : float or None
        The best of ``validation_scores_``.""",
    best_loss_="""best_loss_ : float or None
        The lowest training loss; None with early stopping (as in
        scikit-learn).""",
    loss_="""loss_ : float
        Training loss of the last epoch.""",
    n_iter_="""n_iter_ : int
        Epochs run (``n_epochs_``).""",
    t_="""t_ : int
        Training samples seen (epochs times training rows, over every fit
        of a warm start or ``partial_fit``).""",
    coefs_="""coefs_ : list of ndarray
        ``coefs_[i]``: the weight matrix of layer ``i``, of shape (units in,
        units out), as scikit-learn's (a binary classifier has two output
        units, a softmax, where scikit-learn has one logistic unit).""",
    intercepts_="""intercepts_ : list of ndarray
        ``intercepts_[i]``: the bias vector of layer ``i``.""",
    n_layers_="""n_layers_ : int
        Number of layers, input and output included.""",
    out_activation_="""out_activation_ : str
        The output layer's activation in scikit-learn's names:
        "softmax", "logistic" (multilabel) or "identity" (regression).""",
    n_features_in_="""n_features_in_ : int
        Number of features seen during fit.""",
    feature_names_in_="""feature_names_in_ : ndarray of str
        Column names of ``X`` when it is a DataFrame with string columns.""",
)

#: Values of the classifier's and regressor's placeholders.
CLASSIFIER_VALUES = {
    "stratified": " and stratified by class",
    "metric": ", ``accuracy``",
    "val_metric": ", ``val_accuracy``",
    "n_classes": ", ``n_classes``",
    "default_loss": "sparse categorical (or binary) cross-entropy",
    "score": "accuracy",
    "rate_init": "",
}
REGRESSOR_VALUES = {
    "stratified": "",
    "metric": "",
    "val_metric": "",
    "n_classes": "",
    "default_loss": "mean squared error",
    "score": "R^2 (when the loss is the default squared error)",
    "rate_init": "",
}

#: The MLPs take scikit-learn's learning_rate_init.
MLP_VALUES = {"rate_init": " (``learning_rate_init`` when given)"}
