"""`make bench`: seed a realistic company, serve it with gunicorn, load it with locust, time the reminders.

See bench/__main__.py for the steps and `python -m bench --help` for the options.
"""
