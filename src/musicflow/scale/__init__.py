"""Batch scoring: a whole catalog scored by a listener's model, on one machine or on a Dask cluster.

A job is cut into partitions of bounded size. Each partition is read, vectorized column by column,
scored in one LightGBM call and written by whoever runs it (this process, or a Dask worker), and marked
done in the job's manifest, so a job that dies resumes at the first unfinished partition. The model and
the listener's history travel as plain data (`ScoringPack`), never as a pickle of our objects.
"""
