"""Stories: pure pieces of the entries → articles → stories step.

- `urls`     link normalisation (`normalize_url`) and the dedupe identity of a link (`link_key`);
- `dedupe`   entry keys and the new / same / edited decision over keys the store already holds;
- `cluster`  story fingerprints, `best_match` against candidate stories, `better_summary`.

Nothing here touches storage or the network; the store and the worker call these functions.
"""
