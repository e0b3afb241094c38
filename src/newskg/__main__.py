from newskg.entry import main

main()
