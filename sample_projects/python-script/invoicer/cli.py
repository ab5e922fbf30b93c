from decimal import Decimal
from pathlib import Path

import click

from invoicer.billing import invoices, read_hours


@click.command()
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rate", default="80", help="Hourly rate.")
def main(csv_file: Path, rate: str) -> None:
    """Print one invoice per client found in CSV_FILE."""
    for text in invoices(read_hours(csv_file.read_text()), Decimal(rate)).values():
        click.echo(text)


if __name__ == "__main__":
    main()
