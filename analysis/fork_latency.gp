# fork() latency against the parent's resident heap, copy-on-write against copying fork,
# log-log: copy allocates and copies every present page, copy-on-write shares each one
# (a page-table entry per page, read-only and marked); both grow with the pages, at
# rates about twenty times apart. Both clocks are drawn: the host clock (plain TCG, wall
# time, 3 harts) and icount (instructions at 8 ns, 1 hart). Error bars are the min..max
# of the runs. Copying has no point at 64 MiB: parent and child would need 128 MiB.
#
#   gnuplot -e "datadir='analysis/data'; outdir='analysis/figures'" analysis/fork_latency.gp
set datafile separator ","
set datafile missing NaN
host = datadir."/forkbench-host.csv"
icount = datadir."/forkbench-icount.csv"

# Column 8 is the median, 9 min, 10 max (ns), shown in ms; x is the heap in MiB.
sel(p) = strcol(2) eq "size" && strcol(3) eq p && strcol(7) eq "fork_ns" ? $4 / 1048576.0 : NaN

set logscale xy
set xrange [0.8:80]
set yrange [0.02:600]
set xtics ("1" 1, "2" 2, "4" 4, "8" 8, "16" 16, "32" 32, "64" 64)
set xlabel "resident heap of the parent (MiB, log scale)"
set ylabel "time of fork(), median of the runs (ms, log scale)"
set title "fork() latency, copy-on-write against copying (128 MiB machine)"
set key top left box opaque
set grid xtics ytics mytics lc rgb "#dddddd"
set label 1 "copy: no point at 64 MiB\n(the heap twice is more\nthan free memory)" \
    at 60, 0.06 right font ",9"

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
                lc rgb "#17a589" lw 2 dt 2 pt 5 ps 0.8 title "copy-on-write, icount (1 hart)"
}
