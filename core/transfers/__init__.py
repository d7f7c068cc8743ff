"""Organisational relationship transfers (组织关系转接): a member's Party membership moving to
another branch of the same city, or to another city (another tenant).

The protocol, and why nothing is duplicated or lost when one side fails midway:

* **Issuing** writes the sender's letter (:class:`~core.transfers.models.TransferLetter`) and,
  for another city, the envelope (:class:`~core.transfers.models.TransferEnvelope`, a global
  table keyed by the letter's code, payload encrypted) in one transaction. The member stays in
  the sender's register, status unchanged, until the receiver accepts.
* **The envelope's state is the one source of truth** between the two tenants. Every change of
  it is a compare-and-set (``UPDATE … WHERE state = <expected>``) made in the *same*
  transaction as the side effects of the tenant making it, so two sides can never both win:
  ``offered → accepted`` (the receiver: member created + receipt), ``offered → refused`` (the
  receiver), ``offered → cancelled`` / ``offered → expired`` (the sender: its letter too),
  ``accepted → completed`` (the sender: member ``transferred_out`` + letter completed).
* **The receipt** is the receiver's own letter row (kind ``incoming``, unique per tenant and
  code) written with the member in the accepting transaction: a retried accept finds it and
  answers with it instead of creating the member twice.
* **The sender's follow-up** (completion after an accept, the letter's refusal after a refusal)
  runs straight after the receiver's commit, in the sender's own transaction. If it fails, the
  envelope simply stays ``accepted`` / ``refused``: reading the letter, the
  ``transfers.sweep`` job and ``dangjian transfers sweep`` all apply it later, idempotently.

Internal transfers (same tenant) need no envelope: accepting one moves the member and
completes the letter in one transaction.
"""
