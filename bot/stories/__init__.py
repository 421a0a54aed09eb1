"""Stories: link normalisation, entry dedupe and story clustering (pure functions).

The store and the worker call these; nothing here touches storage or the network.
"""
