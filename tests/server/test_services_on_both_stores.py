"""The service test suite, run on both stores through one fixture with two parameters.

The tests are the ones in tests/services, imported here so that this folder's ``coordinator``
fixture (parameters "vault" and "server", see conftest.py) drives them: every service test
below runs once on a SQLCipher vault and once on a team server on the throwaway PostgreSQL.
Left out: the full-disk, read-only-media and backup tests (about the vault's own files), and
the tests listed in NOT_ON_THE_SERVER (conftest.py), which have server variants of their own.
"""

from tests.services.test_assessments import *  # noqa: F403
from tests.services.test_audit_log import *  # noqa: F403
from tests.services.test_case_file import *  # noqa: F403
from tests.services.test_cases import *  # noqa: F403
from tests.services.test_exchange import *  # noqa: F403
from tests.services.test_field_test_findings import *  # noqa: F403
from tests.services.test_odd_input import *  # noqa: F403
from tests.services.test_plans import *  # noqa: F403
from tests.services.test_records import *  # noqa: F403
from tests.services.test_retention import *  # noqa: F403
from tests.services.test_roles import *  # noqa: F403
from tests.services.test_search import *  # noqa: F403
from tests.services.test_signed_trail import *  # noqa: F403
from tests.services.test_statistics import *  # noqa: F403
from tests.services.test_tasks import *  # noqa: F403
from tests.services.test_team import *  # noqa: F403
