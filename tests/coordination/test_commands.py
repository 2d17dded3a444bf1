"""``casework import-resources``: dry run reports and writes nothing; real run is idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.coordination.models import ResourceService
from tests.coordination.conftest import EXAMPLE_CSV


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import-resources", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_then_real_run_then_again(world, pat, tmp_path):
    out, _ = run(str(EXAMPLE_CSV), "--as", "pat", "--dry-run")
    assert "4 rows, 0 errors, 0 duplicates, would create 4" in out
    assert ResourceService.objects.count() == 0
    out, err = run(str(EXAMPLE_CSV), "--as", "pat")
    assert "created 4" in out and "imported 4/4" in err
    out, _ = run(str(EXAMPLE_CSV), "--as", "pat")
    assert "4 duplicates, created 0" in out and ResourceService.objects.count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("organization_name,service_name,needs\nOrg,Svc,nope\n")
    out, _ = run(str(bad), "--as", "pat", "--dry-run")
    assert "row 2: needs: unknown need domain 'nope'" in out


def test_case_manager_is_refused(world):
    with pytest.raises(CommandError):
        run(str(EXAMPLE_CSV), "--as", "casey", "--dry-run")
