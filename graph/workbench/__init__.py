"""The coding workbench: proposals, the coding page, saving claims, coder agreement (issue 13)."""
