FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=1 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --home /app interviewloop && chown -R interviewloop /app
USER interviewloop
EXPOSE 8000
CMD ["gunicorn", "interviewloop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
