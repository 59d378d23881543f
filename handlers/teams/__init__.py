"""Microsoft Teams: botbuilder's CloudAdapter at ``POST /api/messages``, Adaptive Cards 1.5.

``mount`` (in ``handlers.teams.app``) adds the route and returns the ``TeamsChannel``
the notifier uses for proactive delivery.
"""
