import sys

from risico.cli import main

sys.exit(main())
