"""Notifiers: webhook, e-mail, SMS and voice gateways, Alertmanager forwarding, on-call contacts.

`build_integrations(receiver, ctx)` turns a receiver's configuration into integrations;
`ReceiverSink` delivers a notification through them with retries, recording every attempt;
`ContactNotifier` is the on-call `ContactSender`.
"""
