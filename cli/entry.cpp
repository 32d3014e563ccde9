// entry.cpp: the corosim executable. Its `main` lives in corosim::main (cli/main.cpp), the
// library a user's project links to get list/run/fuzz/replay/report/merge for its own
// scenarios (registered with COROSIM_SCENARIO in the user's sources).
