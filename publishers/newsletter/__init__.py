"""The newsletter's subscribers: sign-up, consent, double opt-in,
unsubscription, erasure, and Mailchimp kept in step.

- models.py: Subscriber, ConsentRecord (append-only audit), MailchimpInterest
- services.py (writes), webhooks.py (Mailchimp's reports), sync.py (to
  Mailchimp), selectors.py (reads for the digest and urgent sending)
- mail.py: confirmation e-mail, ``newsletter_message``,
  ``unsubscribe_url`` and ``unsubscribe_headers`` for every newsletter e-mail
- views.py and urls.py: the public pages and the webhook; admin.py: the
  Wagtail admin's subscriber list; jobs.py: the scheduler's sweep
"""
