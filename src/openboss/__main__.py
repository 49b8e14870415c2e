from openboss.cli import app

app()
