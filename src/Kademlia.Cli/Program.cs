Console.WriteLine("kad");
