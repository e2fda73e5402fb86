/*
 * builtin: the subcommands. One file per command in cmd/, each with one entry
 * point cmd_<name>(argc, argv); argv[0] is the command's name. They return the
 * process exit code (0 ok, 1 error, 2 changes present where the command says so).
 */
#ifndef B2B_BUILTIN_H
#define B2B_BUILTIN_H

int cmd_validate(int argc, const char **argv);
int cmd_plan(int argc, const char **argv);
int cmd_apply(int argc, const char **argv);
int cmd_drift(int argc, const char **argv);
int cmd_export(int argc, const char **argv);
int cmd_snapshot(int argc, const char **argv);
int cmd_schema(int argc, const char **argv);
int cmd_lint(int argc, const char **argv);
int cmd_graph(int argc, const char **argv);
int cmd_version(int argc, const char **argv);
int cmd_help(int argc, const char **argv);

#endif
