from wizard_tui.cli import main

raise SystemExit(main())
