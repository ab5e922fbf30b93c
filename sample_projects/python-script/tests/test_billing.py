from decimal import Decimal

from click.testing import CliRunner

from invoicer.billing import invoices, read_hours
from invoicer.cli import main

CSV = "client,task,hours\nAcme,Design review,2.5\nAcme,Fixes,1.5\nGlobex,Audit,3\n"


def test_one_invoice_per_client():
    result = invoices(read_hours(CSV), Decimal("100"))
    assert sorted(result) == ["Acme", "Globex"]
    assert "400.00" in result["Acme"]


def test_cli_prints_invoices(tmp_path):
    path = tmp_path / "hours.csv"
    path.write_text(CSV)
    outcome = CliRunner().invoke(main, [str(path), "--rate", "50"])
    assert outcome.exit_code == 0, outcome.output
    assert "Invoice for Globex" in outcome.output
