"""The guard: a file looked at before any parser does, and refused when no real return looks like it.

Every file under data/raw is untrusted (SECURITY.md). The parser (calamine, behind fastexcel)
allocates what a file claims and decompresses what it holds, and a crafted .xls can make it panic
or abort the whole process. So, before it runs (guard.inspection.inspect, the whole check):

- paths: a link out of the raw folder, an odd name or a file over the size limit is not opened;
- inspection: the magic bytes say what the file really is (zip, OLE2, PDF, text …), whatever its name says;
- zips: a zip's declared sizes are checked against the limits before anything is decompressed,
  then every part is decompressed in bounded steps, proving the declarations true;
- xmlparts: every XML part is refused if it carries a DTD: no Excel file has one, and without a DTD
  there is no external entity (XXE) and no entity expansion ("billion laughs");
- cells: a sheet's cells are counted and its used area measured from the cell references
  themselves, never from its <dimension> claim (a big sheet is bounded by the area the capped parse measures);
- ole: an OLE2 container is looked into for encryption (EncryptionInfo, or a BIFF FILEPASS record);
- trial, child: the zip is looked into and the file parsed once, in a child process with a memory
  and a time limit (sbsk.intake.sandbox), so that a parser bug or a bomb costs one rejected file
  instead of the run;
- formulas: which cells held formulas (their cached values are read, never evaluated).

The limits are one frozen value (guard.limits.Limits), handed to each check and to the child.
Each refusal is one FileRejected (sbsk.intake.errors) whose Chinese message names the limit and the
file's own figure (guard.refusals). This file imports nothing, so that the child loads only what it runs.
"""
