from qabot.interfaces.cli.main import main

raise SystemExit(main())
