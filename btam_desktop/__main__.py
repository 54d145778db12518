from btam_desktop.cli import main

raise SystemExit(main())
