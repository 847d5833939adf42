# The genome's formulas: gauntlet-blocks' generated code, each block in gauntlet-indicators'
# arithmetic over numpy arrays; a condition is 1, 0 or NaN (unknown, as in warm-up) until
# gb_signal turns it into a bool, true only where the formula holds.

{{ formula.helpers }}


def formula_conditions(open_, high, low, close, volume, time):
    """(long, short, exit_long, exit_short): lists of bools, whether each formula holds at each
    bar's close (from data up to that close); a formula the genome lacks is never true. `time`
    holds the bars' open times in ms since the epoch (UTC), which tf(...) groups into periods
    (a period is complete, and read, once a bar of a later period has been seen)."""
    never = np.zeros(len(close), dtype=bool)
    long = short = exit_long = exit_short = never
{% for field, text, expression in formula.conditions %}    # {{ field }}: {{ text }}
    {{ field }} = {{ expression }}
{% endfor %}    return long.tolist(), short.tolist(), exit_long.tolist(), exit_short.tolist()
