"""Delivery: Slack (Web API or incoming webhook) and email (SMTP) with a delivery log.

``send.send_digests`` is the stage; ``slack`` and ``email`` talk to the outside world;
``subscribers`` manages email subscribers and their signed unsubscribe tokens; ``unsubscribe``
serves the one-click (RFC 8058) unsubscribe endpoint.
"""
