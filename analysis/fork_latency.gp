# fork() latency against the parent's resident heap, copy-on-write against copying fork,
# log-log: copy allocates and copies every present page, copy-on-write shares each one
# (a page-table entry per page, read-only and marked); both grow with the pages, at
# rates more than twenty times apart. Both clocks are drawn: the host clock (plain TCG,
# wall time, 3 harts) and icount (instructions at 8 ns, 1 hart), on a 256 MiB machine
# (make bench boots forkbench so, for copy's fork of 64 MiB). Error bars are the
# min..max of the runs. In grey, icount on the kernel before copy-on-write fork shared a
# table at a time and copies skipped the junk fill (data/before-forkcost/, 128 MiB, so
# copy's last point is at 57 MiB).
#
#   gnuplot -e "datadir='analysis/data'; outdir='analysis/figures'" analysis/fork_latency.gp
set datafile separator ","
set datafile missing NaN
host = datadir."/forkbench-host.csv"
icount = datadir."/forkbench-icount.csv"
before = datadir."/before-forkcost/forkbench-icount.csv"

# Column 8 is the median, 9 min, 10 max (ns), shown in ms; x is the heap in MiB.
sel(p) = strcol(2) eq "size" && strcol(3) eq p && strcol(7) eq "fork_ns" ? $4 / 1048576.0 : NaN

set logscale xy
set xrange [0.8:80]
set yrange [0.02:600]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set xlabel "resident heap of the parent (MiB, log scale)"
set ylabel "time of fork(), median of the runs (ms, log scale)"
set title "fork() latency, copy-on-write against copying (256 MiB machine)"
set key top left box opaque
set grid xtics ytics mytics lc rgb "#dddddd"

do for [fmt in "png svg"] {
  if (fmt eq "png") {
    set terminal pngcairo size 1000,650 enhanced font "DejaVu Sans,11"
  } else {
    set terminal svg size 1000,650 enhanced font "DejaVu Sans,11" dynamic
  }
  set output outdir."/fork_latency.".fmt
  plot host   using (sel("copy")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#c0392b" lw 2 pt 7 ps 0.8 title "copy, host clock (3 harts)", \
       icount using (sel("copy")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#e67e22" lw 2 dt 2 pt 5 ps 0.8 title "copy, icount (1 hart)", \
       host   using (sel("cow")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#2471a3" lw 2 pt 7 ps 0.8 title "copy-on-write, host clock (3 harts)", \
       icount using (sel("cow")):($8/1e6):($9/1e6):($10/1e6) with yerrorlines \
                lc rgb "#17a589" lw 2 dt 2 pt 5 ps 0.8 title "copy-on-write, icount (1 hart)", \
       before using (sel("copy")):($8/1e6) with linespoints \
                lc rgb "#999999" lw 1 dt 3 pt 4 ps 0.6 \
                title "copy, icount, before 761d28e (128 MiB)", \
       before using (sel("cow")):($8/1e6) with linespoints \
                lc rgb "#999999" lw 1 dt 3 pt 6 ps 0.6 \
                title "copy-on-write, icount, before 761d28e (128 MiB)"
}
