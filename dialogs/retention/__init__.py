"""How long each program keeps the free text people wrote: ``admin retention`` and the
nightly erasure (rules: ``bot.domain.retention``; storage: ``storage.retention``)."""
