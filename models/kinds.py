"""The names of the recurrent cells and residual designs, without torch: settings and the
command line read them before (or without) any network being built."""

CELLS = ("lstm", "gru", "rnn")
RESIDUALS = ("last", "seasonal", "none")
