from newskg.cli import main

main()
